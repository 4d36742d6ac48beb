import { peerIdFromString } from '@libp2p/peer-id'
import { reject } from './errors.js'

/** The longest PeerId string accepted (the peer store applies the same cap). */
export const MAX_PEER_ID_LENGTH = 128

const PEER_ID_CHARACTERS = /^[A-Za-z0-9]+$/

/** Key types whose PeerIds can be dialed; URL-based PeerIds are refused. */
const DIALABLE_KEY_TYPES = new Set(['Ed25519', 'secp256k1', 'RSA'])

/**
 * Validates a PeerId string and returns its canonical form (base58btc, exactly as
 * `PeerId.toString()` prints it). Case is significant and is never changed.
 */
export function canonicalPeerId (text: string, what = 'peer ID'): string {
  const known = canonicalCache.get(text)
  if (known !== undefined) return known
  if (text.length === 0) reject(`no ${what}`)
  if (text.length > MAX_PEER_ID_LENGTH) reject(`invalid ${what}: longer than ${MAX_PEER_ID_LENGTH} characters`)
  if (!PEER_ID_CHARACTERS.test(text)) reject(`invalid ${what} ${JSON.stringify(text)}: not a base58, base32 or base36 string`)
  let peerId
  try {
    peerId = peerIdFromString(text)
  } catch (err) {
    reject(`invalid ${what} ${JSON.stringify(text)}`, err)
  }
  if (!DIALABLE_KEY_TYPES.has(peerId.type)) reject(`invalid ${what} ${JSON.stringify(text)}: not a key-based peer ID`)
  const canonical = peerId.toString()
  if (canonicalCache.size >= canonicalCacheSize) {
    const oldest = canonicalCache.keys().next()
    if (oldest.done !== true) canonicalCache.delete(oldest.value)
  }
  canonicalCache.set(text, canonical)
  return canonical
}

/**
 * Decoding a PeerId builds its public key (≈70 µs in Node for Ed25519) and the same PeerIds come
 * back again and again (gossip, store loads), so valid ones are remembered: spelling → canonical
 * form, at most this many, oldest forgotten first. Invalid spellings are never cached.
 */
const CANONICAL_CACHE_SIZE = 2048
let canonicalCacheSize = CANONICAL_CACHE_SIZE
const canonicalCache = new Map<string, string>()

/**
 * Lets the PeerId cache hold at least `size` spellings (it never shrinks below 2048). For a
 * process that hosts many nodes at once, such as the mesh simulator: its nodes share this module,
 * and with more distinct peers than the cache holds nearly every parse would decode a key again.
 * A cache only: what {@link canonicalPeerId} returns or rejects does not change.
 */
export function reservePeerIdCache (size: number): void {
  if (Number.isSafeInteger(size) && size > canonicalCacheSize) canonicalCacheSize = size
}
