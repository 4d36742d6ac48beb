import { multiaddr } from '@multiformats/multiaddr'
import { reject } from './errors.js'

/**
 * Most certificate hashes one webrtc-direct address may carry: libp2p's dial filter
 * (`WebRTCDirect.exactMatch` from @multiformats/multiaddr-matcher) refuses more than two.
 */
export const MAX_CERTHASHES = 2
/** Longest multibase certificate hash accepted (a SHA-256 one is 47 characters in base64url). */
const MAX_CERTHASH_LENGTH = 200
const MULTIBASE_CHARACTERS = /^[A-Za-z0-9_-]+$/

/**
 * Validates a multibase-encoded certificate hash and returns the spelling multiaddr prints
 * (base64url, prefix `u`), so that URL and multiaddr forms agree.
 */
export function canonicalCerthash (text: string): string {
  if (text.length === 0) reject('empty certhash')
  if (text.length > MAX_CERTHASH_LENGTH) reject(`certhash longer than ${MAX_CERTHASH_LENGTH} characters`)
  if (!MULTIBASE_CHARACTERS.test(text)) reject(`invalid certhash ${JSON.stringify(text)}`)
  let canonical: string | undefined
  let bytes: Uint8Array
  try {
    bytes = multiaddr(`/certhash/${text}`).bytes
    canonical = multiaddr(bytes).getComponents()[0]?.value
  } catch (err) {
    reject(`invalid certhash ${JSON.stringify(text)}: not a multibase string`, err)
  }
  if (canonical === undefined || !isMultihash(bytes)) reject(`invalid certhash ${JSON.stringify(text)}: not a multihash`)
  return canonical
}

/**
 * Checks that the `/certhash/…` component bytes hold one whole multihash: a hash function code,
 * a digest length, and exactly that many (at least one) digest bytes.
 */
function isMultihash (componentBytes: Uint8Array): boolean {
  const code = readVarint(componentBytes, 0) // the certhash protocol code itself
  const size = code === undefined ? undefined : readVarint(componentBytes, code.end)
  if (size === undefined) return false
  const payload = componentBytes.subarray(size.end)
  if (payload.length !== size.value) return false
  const hashCode = readVarint(payload, 0)
  const digestLength = hashCode === undefined ? undefined : readVarint(payload, hashCode.end)
  if (digestLength === undefined) return false
  return digestLength.value > 0 && payload.length - digestLength.end === digestLength.value
}

function readVarint (bytes: Uint8Array, start: number): { value: number, end: number } | undefined {
  let value = 0
  for (let i = start, shift = 0; i < bytes.length && shift < 35; i++, shift += 7) {
    const byte = bytes[i] ?? 0
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return { value, end: i + 1 }
  }
  return undefined
}

/** Validates a list of certificate hashes: at least one, at most {@link MAX_CERTHASHES}, no repeats. */
export function canonicalCerthashes (texts: readonly string[]): string[] {
  if (texts.length === 0) reject('a webrtc-direct address needs at least one certhash')
  if (texts.length > MAX_CERTHASHES) reject(`more than ${MAX_CERTHASHES} certhashes`)
  const hashes = texts.map(canonicalCerthash)
  if (new Set(hashes).size !== hashes.length) reject('repeated certhash')
  return hashes
}
