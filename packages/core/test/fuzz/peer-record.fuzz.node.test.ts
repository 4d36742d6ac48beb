/**
 * Fuzz: stored peer records through the codec every store adapter uses. A stored value, whatever
 * its bytes, decodes to a valid record or throws InvalidPeerRecordError (a store then skips and
 * reports it); an accepted record encodes again to a value that decodes to the same record.
 */
import fc from 'fast-check'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidPeerRecordError } from '../../src/store/errors.js'
import { decodeClonedPeerRecord, decodePeerRecord, encodePeerRecord, MAX_ADDRESSES_PER_PEER } from '../../src/store/peer-record-codec.js'
import type { PeerRecord } from '../../src/store/peer-store.js'
import { newPeerIds, peerRecord } from '../store/fixtures.js'
import { anyText, fuzzParameters, fuzzTimeout, heapAfterGc, MAX_HEAP_GROWTH_BYTES, mutatedText } from './fuzz-support.js'

let peerIds: string[]
beforeAll(async () => { peerIds = await newPeerIds(3) })

const outcomes = { accepted: 0, refused: 0 }
beforeEach(() => { outcomes.accepted = 0; outcomes.refused = 0 })

function decodeOrNamedError (decode: () => PeerRecord): void {
  let record: PeerRecord
  try {
    record = decode()
  } catch (err) {
    if (!(err instanceof InvalidPeerRecordError)) throw err
    expect(err.name).toBe('InvalidPeerRecordError')
    expect(typeof err.field).toBe('string')
    outcomes.refused++
    return
  }
  outcomes.accepted++
  expect(record.addresses.length).toBeLessThanOrEqual(MAX_ADDRESSES_PER_PEER)
  // JSON has no -0: a stored -0 comes back as 0, the same number for every comparison
  expect(decodePeerRecord(encodePeerRecord(record), record.peerId)).toEqual(JSON.parse(JSON.stringify(record)))
}

/** A valid record, as an object, with generated values in every field. */
function validRecord (): fc.Arbitrary<PeerRecord> {
  const time = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 45 }))
  const address = fc.record({
    url: fc.string({ minLength: 1, maxLength: 60 }),
    source: fc.constantFrom('config' as const, 'gossip' as const, 'verified' as const),
    dialFailures: fc.nat({ max: 1000 }),
    lastDialFailureAt: time,
    lastConnectedAt: time
  })
  return fc.record({
    peerId: fc.constantFrom(...peerIds),
    addresses: fc.uniqueArray(address, { maxLength: 8, selector: a => a.url }),
    score: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    misbehaviour: fc.double({ noNaN: true, min: 0, max: 1e6 }),
    misbehaviourAt: time,
    bannedUntil: time,
    inactive: fc.boolean(),
    lastSeenAt: time,
    banReason: fc.option(fc.string({ maxLength: 40 }), { nil: undefined })
  }).map(r => {
    const { banReason, ...rest } = r
    return { v: 1 as const, ...rest, ...(banReason !== undefined ? { banReason } : {}) }
  })
}

/** A valid record with one field (or one address field) replaced by any JS value at all. */
function recordWithOneBadField (): fc.Arbitrary<unknown> {
  const fields = ['v', 'peerId', 'addresses', 'score', 'misbehaviour', 'misbehaviourAt', 'bannedUntil', 'inactive', 'lastSeenAt', 'banReason', '__proto__', 'constructor']
  const addressFields = ['url', 'source', 'dialFailures', 'lastDialFailureAt', 'lastConnectedAt']
  return fc.tuple(validRecord(), fc.constantFrom(...fields), fc.constantFrom(...addressFields), fc.boolean(), fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }))
    .map(([record, field, addressField, inAddress, value]) => {
      const copy = structuredClone(record) as unknown as Record<string, unknown>
      const addresses = copy.addresses as Array<Record<string, unknown>>
      if (inAddress && addresses.length > 0) addresses[0]![addressField] = value
      else Object.defineProperty(copy, field, { value, enumerable: true, configurable: true, writable: true })
      return copy
    })
}

describe('fuzz › stored peer records', () => {
  it('decodePeerRecord: arbitrary stored text is a valid record or InvalidPeerRecordError', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(anyText, text => { decodeOrNamedError(() => decodePeerRecord(text)) }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(2_000))

  it('decodePeerRecord: arbitrary JSON values are a valid record or InvalidPeerRecordError', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), text => { decodeOrNamedError(() => decodePeerRecord(text)) }), fuzzParameters())
  }, fuzzTimeout(3_000))

  it('decodePeerRecord: valid stored records with random text edits are a valid record or InvalidPeerRecordError', () => {
    const before = heapAfterGc()
    const stored = validRecord().map(r => encodePeerRecord(r))
    fc.assert(fc.property(mutatedText(stored), fc.option(fc.constantFrom(...peerIds.slice(0, 1)), { nil: undefined }), (text, key) => {
      decodeOrNamedError(() => decodePeerRecord(text, key))
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
    expect(outcomes.accepted).toBeGreaterThan(0)
    expect(outcomes.refused).toBeGreaterThan(0)
  }, fuzzTimeout(10_000))

  it('decodeClonedPeerRecord: a record with any value in any one field is a valid record or InvalidPeerRecordError', () => {
    fc.assert(fc.property(recordWithOneBadField(), value => { decodeOrNamedError(() => decodeClonedPeerRecord(value)) }), fuzzParameters())
    expect(outcomes.refused).toBeGreaterThan(0)
  }, fuzzTimeout(10_000))

  it('decodePeerRecord: every valid record round-trips unchanged', () => {
    fc.assert(fc.property(validRecord(), record => {
      expect(decodePeerRecord(encodePeerRecord(record), record.peerId)).toEqual(JSON.parse(JSON.stringify(record)))
    }), fuzzParameters())
  }, fuzzTimeout(5_000))

  it('a record with too many addresses is refused, whatever their content', () => {
    const record = peerRecord(peerIds[0]!)
    const many = Array.from({ length: MAX_ADDRESSES_PER_PEER + 1 }, (_, i) => ({ ...record.addresses[0]!, url: `ws://x/${i}` }))
    expect(() => decodePeerRecord(JSON.stringify({ ...record, addresses: many }))).toThrow(InvalidPeerRecordError)
  })
})
