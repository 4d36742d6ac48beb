/**
 * The relay's TLS certificate and key (`--tls-cert`, `--tls-key`): PEM files, read at start and
 * again on SIGHUP or when either file changes, as certificates renew (certbot, acme.sh, a
 * Kubernetes secret). A pair that does not load (unreadable, not PEM, a key that does not match
 * the certificate, a file caught half-written) is refused with {@link TlsCertificateError}; on a
 * reload the relay then keeps serving the pair it has.
 */
import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { unwatchFile, watchFile } from 'node:fs'
import { createSecureContext } from 'node:tls'

/** Paths of the PEM files. */
export interface TlsFiles {
  certPath: string
  keyPath: string
}

/** A loaded pair, ready for `https.createServer` / `setSecureContext`. */
export interface TlsCertificatePair {
  /** PEM: the server's certificate, then any intermediates. */
  cert: string
  key: string
  /** SHA-256 fingerprint of the server's certificate, `AB:CD:…` (as `openssl x509 -fingerprint -sha256`). */
  fingerprint256: string
  /** When the server's certificate expires (its `notAfter`). */
  validTo: string
  /** Its subject alternative names, e.g. `DNS:relay.example.org, IP Address:198.19.0.10`. */
  subjectAltName: string | undefined
}

/** The certificate files could not be used; `cause` says why. */
export class TlsCertificateError extends Error {
  static override name = 'TlsCertificateError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TlsCertificateError'
  }
}

/** Reads and checks the pair (the key must match the certificate). */
export async function loadTlsCertificate (files: TlsFiles): Promise<TlsCertificatePair> {
  let cert: string
  let key: string
  try {
    [cert, key] = await Promise.all([readFile(files.certPath, 'utf8'), readFile(files.keyPath, 'utf8')])
  } catch (err) {
    throw new TlsCertificateError(`cannot read ${files.certPath} / ${files.keyPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
    createSecureContext({ cert, key })
  } catch (err) {
    throw new TlsCertificateError(`${files.certPath} and ${files.keyPath} are not a PEM certificate and its matching key: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  return { cert, key, fingerprint256: x509.fingerprint256, validTo: x509.validTo, subjectAltName: x509.subjectAltName }
}

/**
 * Calls `onChange` when either file's modification time, size or inode changes (polling with
 * `fs.watchFile`, which follows symlinks and survives files replaced by rename, as renewal tools
 * do). Returns a function that stops watching.
 */
export function watchTlsFiles (files: TlsFiles, intervalMs: number, onChange: () => void): () => void {
  const listener = (current: { mtimeMs: number, size: number, ino: number }, previous: { mtimeMs: number, size: number, ino: number }): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) onChange()
  }
  const paths = [...new Set([files.certPath, files.keyPath])]
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, listener)
  return () => {
    for (const path of paths) unwatchFile(path, listener)
  }
}
