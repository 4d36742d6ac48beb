/**
 * The page needs a secure context (Web Locks for its identity slot; browsers also refuse `ws://`
 * from an `https:` page). Browsers treat `https:` and `http://localhost` / `127.0.0.1` as secure;
 * anything else (`http://relay.example.org:8080/`) is not, and the page says what to do.
 */

/** The page was opened from an origin the browser does not treat as secure. */
export class InsecureContextError extends Error {
  override name = 'InsecureContextError'
}

/** The message for a page opened at `pageUrl` outside a secure context. */
export function insecureContextMessage (pageUrl: URL | string): string {
  const url = new URL(pageUrl)
  const https = new URL(url.href)
  https.protocol = 'https:'
  return `${url.origin} is not a secure context, so this page cannot run here (it needs Web Locks, and an insecure page cannot use them). ` +
    `Serve it over HTTPS: start the relay with --tls-cert <certificate.pem> --tls-key <key.pem> and open ${https.origin}${url.pathname}, ` +
    'or open it from http://localhost or http://127.0.0.1 on the relay\'s own machine.'
}

/** @throws {InsecureContextError} when `isSecureContext` is false */
export function requireSecureContext (isSecureContext: boolean, pageUrl: URL | string): void {
  if (!isSecureContext) throw new InsecureContextError(insecureContextMessage(pageUrl))
}
