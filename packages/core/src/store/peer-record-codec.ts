/**
 * The one codec every peer store adapter uses: records are validated field by field before they
 * are written and again when they are read back, so that a corrupt, foreign or hostile record
 * never reaches the PeerManager.
 *
 * On disk (LevelDB, IndexedDB) a record is UTF-8 JSON produced by {@link encodePeerRecord}; the
 * memory store keeps structured clones and checks them with {@link validatePeerRecord}.
 *
 * @example
 * ```ts
 * const json = encodePeerRecord(record)        // throws InvalidPeerRecordError if invalid
 * const again = decodePeerRecord(json)         // a fresh, validated copy
 * ```
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { InvalidPeerRecordError } from './errors.js'
import type { AddressSource, PeerRecord, StoredAddress } from './peer-store.js'
import { MAX_ADDRESSES_PER_PEER, MAX_ADDRESS_URL_BYTES } from '../vocabulary.js'

/** The only schema version this build reads and writes. */
export const PEER_RECORD_VERSION = 1

// domain limits shared with the peer manager and peer exchange live in the leaf vocabulary module
export { MAX_ADDRESSES_PER_PEER, MAX_ADDRESS_URL_BYTES } from '../vocabulary.js'

/** A ban reason longer than this (in UTF-8 bytes) is refused. */
export const MAX_BAN_REASON_BYTES = 1024

/** A PeerId string longer than this is refused before it is parsed. */
export const MAX_PEER_ID_LENGTH = 128

/**
 * An encoded record longer than this (in UTF-8 bytes) is refused before it is parsed. The largest
 * valid record (64 addresses of 1 KiB plus their counters) is well below it.
 */
export const MAX_PEER_RECORD_BYTES = 128 * 1024

const ADDRESS_SOURCES: ReadonlySet<string> = new Set<AddressSource>(['config', 'gossip', 'verified'])

const utf8 = new TextEncoder()

function fail (field: string, message: string, cause?: unknown): never {
  const where = field === '' ? 'peer record' : `peer record field ${field}`
  throw new InvalidPeerRecordError(`${where}: ${message}`, field, cause === undefined ? undefined : { cause })
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nonNegativeNumber (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(field, 'must be a finite number ≥ 0')
  }
  return value
}

function nonNegativeInteger (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(field, 'must be a safe integer ≥ 0')
  }
  return value
}

function finiteNumber (value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'must be a finite number')
  return value
}

function boundedString (value: unknown, field: string, maxBytes: number): string {
  if (typeof value !== 'string') fail(field, 'must be a string')
  // A UTF-8 encoding is at most 3 bytes per UTF-16 unit: skip the encoding for short strings.
  if (value.length * 3 > maxBytes && utf8.encode(value).byteLength > maxBytes) {
    fail(field, `must be at most ${maxBytes} UTF-8 bytes`)
  }
  return value
}

/**
 * Checks that `value` is a canonical libp2p PeerId string (the form `peerId.toString()` gives).
 *
 * @throws {InvalidPeerRecordError} with `field` set to `field`
 */
export function validatePeerIdString (value: unknown, field = 'peerId'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PEER_ID_LENGTH) {
    fail(field, `must be a PeerId string of 1 to ${MAX_PEER_ID_LENGTH} characters`)
  }
  let canonical: string
  try {
    const peerId = peerIdFromString(value)
    if (peerId.type === 'url') fail(field, 'must be a key-based PeerId, not a URL PeerId')
    canonical = peerId.toString()
  } catch (err) {
    if (err instanceof InvalidPeerRecordError) throw err
    fail(field, 'is not a valid PeerId', err)
  }
  if (canonical !== value) fail(field, 'is not in canonical PeerId form')
  return value
}

function validateAddress (value: unknown, field: string): StoredAddress {
  if (!isPlainObject(value)) fail(field, 'must be an object')
  const url = boundedString(value.url, `${field}.url`, MAX_ADDRESS_URL_BYTES)
  if (url.length === 0) fail(`${field}.url`, 'must not be empty')
  const source = value.source
  if (typeof source !== 'string' || !ADDRESS_SOURCES.has(source)) {
    fail(`${field}.source`, 'must be one of config, gossip, verified')
  }
  return {
    url,
    source: source as AddressSource,
    dialFailures: nonNegativeInteger(value.dialFailures, `${field}.dialFailures`),
    lastDialFailureAt: nonNegativeNumber(value.lastDialFailureAt, `${field}.lastDialFailureAt`),
    lastConnectedAt: nonNegativeNumber(value.lastConnectedAt, `${field}.lastConnectedAt`)
  }
}

/**
 * Validates every field of a would-be {@link PeerRecord} and returns a fresh copy holding only
 * the known fields (anything else on the input is dropped).
 *
 * @throws {InvalidPeerRecordError} naming the first offending field
 */
export function validatePeerRecord (value: unknown): PeerRecord {
  if (!isPlainObject(value)) fail('', 'must be an object')
  if (value.v !== PEER_RECORD_VERSION) fail('v', `unknown schema version (this build reads v: ${PEER_RECORD_VERSION})`)
  const peerId = validatePeerIdString(value.peerId)

  const rawAddresses = value.addresses
  if (!Array.isArray(rawAddresses)) fail('addresses', 'must be an array')
  if (rawAddresses.length > MAX_ADDRESSES_PER_PEER) {
    fail('addresses', `must hold at most ${MAX_ADDRESSES_PER_PEER} addresses`)
  }
  const addresses: StoredAddress[] = []
  const seen = new Set<string>()
  for (let i = 0; i < rawAddresses.length; i++) {
    const address = validateAddress(rawAddresses[i], `addresses[${i}]`)
    if (seen.has(address.url)) fail(`addresses[${i}].url`, 'duplicates an earlier address')
    seen.add(address.url)
    addresses.push(address)
  }

  const record: PeerRecord = {
    v: PEER_RECORD_VERSION,
    peerId,
    addresses,
    score: finiteNumber(value.score, 'score'),
    misbehaviour: nonNegativeNumber(value.misbehaviour, 'misbehaviour'),
    misbehaviourAt: nonNegativeNumber(value.misbehaviourAt, 'misbehaviourAt'),
    bannedUntil: nonNegativeNumber(value.bannedUntil, 'bannedUntil'),
    inactive: ((): boolean => {
      if (typeof value.inactive !== 'boolean') fail('inactive', 'must be a boolean')
      return value.inactive
    })(),
    lastSeenAt: nonNegativeNumber(value.lastSeenAt, 'lastSeenAt')
  }
  if (value.banReason !== undefined) {
    record.banReason = boundedString(value.banReason, 'banReason', MAX_BAN_REASON_BYTES)
  }
  return record
}

/**
 * Validates `record` and encodes it as JSON (stored as UTF-8).
 *
 * @throws {InvalidPeerRecordError} if the record is invalid; nothing should then be written
 */
export function encodePeerRecord (record: PeerRecord): string {
  return JSON.stringify(validatePeerRecord(record))
}

/**
 * Parses and validates a stored record.
 *
 * @param json - the stored value
 * @param expectedPeerId - the peer the record was stored under; a record claiming another PeerId is refused
 * @throws {InvalidPeerRecordError} for bad JSON, a wrong shape, an unknown version or a key mismatch
 */
export function decodePeerRecord (json: string, expectedPeerId?: string): PeerRecord {
  if (typeof json !== 'string') fail('', 'stored value must be a JSON string')
  if (json.length * 3 > MAX_PEER_RECORD_BYTES && utf8.encode(json).byteLength > MAX_PEER_RECORD_BYTES) {
    fail('', `stored value exceeds ${MAX_PEER_RECORD_BYTES} bytes`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (err) {
    fail('', 'stored value is not valid JSON', err)
  }
  return checkKey(validatePeerRecord(parsed), expectedPeerId)
}

/**
 * Like {@link decodePeerRecord} for adapters that store structured clones (the memory store).
 *
 * @throws {InvalidPeerRecordError}
 */
export function decodeClonedPeerRecord (value: unknown, expectedPeerId?: string): PeerRecord {
  return checkKey(validatePeerRecord(value), expectedPeerId)
}

function checkKey (record: PeerRecord, expectedPeerId: string | undefined): PeerRecord {
  if (expectedPeerId !== undefined && record.peerId !== expectedPeerId) {
    fail('peerId', 'does not match the key the record was stored under')
  }
  return record
}
