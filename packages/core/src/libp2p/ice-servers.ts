/**
 * ICE server lists as operators and page URLs write them: a JSON array of `RTCIceServer` objects,
 * or comma-separated `stun:`/`stuns:`/`turn:`/`turns:` URLs. One validator for the relay's
 * `--ice-servers`, the relay's `/api/bootstrap` answer as a page reads it, and a page's `?ice=`.
 */

/** Bounds on an ICE server list read from outside. */
export const ICE_SERVER_LIMITS = Object.freeze({
  /** Most servers in one list. */
  maxServers: 8,
  /** Most URLs of one server. */
  maxUrlsPerServer: 8,
  /** Longest URL, username or credential, characters. */
  maxFieldLength: 512,
  /** Longest list as text, characters. */
  maxTextLength: 8192
})

const ICE_URL_PATTERN = /^(stun|stuns|turn|turns):[^\s,]+$/

/** An ICE server list (text or parsed JSON) is malformed or out of bounds; the message says how. */
export class InvalidIceServersError extends Error {
  static readonly NAME = 'InvalidIceServersError'
  override readonly name = InvalidIceServersError.NAME
}

/**
 * Parses `text`: a JSON array of `{ urls, username?, credential? }`, or comma-separated URLs.
 *
 * @throws {InvalidIceServersError}
 */
export function parseIceServersText (text: string): RTCIceServer[] {
  const value = text.trim()
  if (value.length > ICE_SERVER_LIMITS.maxTextLength) throw new InvalidIceServersError(`longer than ${ICE_SERVER_LIMITS.maxTextLength} characters`)
  if (value.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch (err) {
      throw new InvalidIceServersError('not valid JSON', { cause: err })
    }
    return validateIceServers(parsed)
  }
  const urls = value.split(',').map(s => s.trim())
  if (urls.length > ICE_SERVER_LIMITS.maxServers) throw new InvalidIceServersError(`more than ${ICE_SERVER_LIMITS.maxServers} servers`)
  for (const url of urls) requireIceUrl(url)
  return urls.map(url => ({ urls: url }))
}

/**
 * Checks a parsed value is a bounded array of `RTCIceServer`s and returns a clean copy (no other
 * fields).
 *
 * @throws {InvalidIceServersError}
 */
export function validateIceServers (value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) throw new InvalidIceServersError('expected a JSON array of ICE servers')
  if (value.length > ICE_SERVER_LIMITS.maxServers) throw new InvalidIceServersError(`more than ${ICE_SERVER_LIMITS.maxServers} servers`)
  return value.map((entry: unknown, index) => validateIceServer(entry, index))
}

function validateIceServer (entry: unknown, index: number): RTCIceServer {
  if (typeof entry !== 'object' || entry == null || Array.isArray(entry)) throw new InvalidIceServersError(`[${index}] is not an object`)
  const { urls, username, credential } = entry as Record<string, unknown>
  const urlList: unknown = typeof urls === 'string' ? [urls] : urls
  if (!Array.isArray(urlList) || urlList.length === 0 || urlList.length > ICE_SERVER_LIMITS.maxUrlsPerServer ||
    !urlList.every(u => typeof u === 'string' && isIceUrl(u))) {
    throw new InvalidIceServersError(`[${index}].urls must be a stun:/turn: URL or an array of 1 to ${ICE_SERVER_LIMITS.maxUrlsPerServer} of them`)
  }
  const server: RTCIceServer = { urls: typeof urls === 'string' ? urls : [...urlList as string[]] }
  if (username != null) server.username = requireField(username, `[${index}].username`)
  if (credential != null) server.credential = requireField(credential, `[${index}].credential`)
  return server
}

function isIceUrl (url: string): boolean {
  return url.length <= ICE_SERVER_LIMITS.maxFieldLength && ICE_URL_PATTERN.test(url)
}

function requireIceUrl (url: string): void {
  if (!isIceUrl(url)) throw new InvalidIceServersError(`expected stun:, stuns:, turn: or turns: URLs, got ${JSON.stringify(url.slice(0, 80))}`)
}

function requireField (value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > ICE_SERVER_LIMITS.maxFieldLength) {
    throw new InvalidIceServersError(`${field} must be a string of at most ${ICE_SERVER_LIMITS.maxFieldLength} characters`)
  }
  return value
}
