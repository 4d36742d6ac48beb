/**
 * Fuzz: every wire decoder a peer's bytes reach. Peer exchange (our own framing and decoder:
 * never throws, returns what it found), and the protons decoders of the session, topology and
 * broadcast messages (they may throw, and the callers catch: only decode errors are allowed,
 * never a TypeError or anything that is not an Error, and list lengths stay within their limits).
 */
import fc from 'fast-check'
import { MaxLengthError } from 'protons-runtime'
import { describe, expect, it } from 'vitest'
import { InvalidNodeAddressError, parseNodeAddress } from '../../src/address/index.js'
import { BroadcastText } from '../../src/broadcast/broadcast.pb.js'
import { PEX_DEFAULTS, PEX_MAX_REQUEST_BYTES } from '../../src/pex/constants.js'
import { decodePexMessage, encodePexFrame, peekPexFrameLength, splitPexFrames } from '../../src/pex/framing.js'
import { PexMessage } from '../../src/pex/pex.pb.js'
import { Goodbye, SessionMessage } from '../../src/session/session.pb.js'
import { NeighbourList } from '../../src/topology/topology.pb.js'
import { fuzzParameters, fuzzTimeout, heapAfterGc, MAX_HEAP_GROWTH_BYTES, mutatedBytes } from './fuzz-support.js'

const { maxMessageBytes, maxAddressesPerResponse } = PEX_DEFAULTS
/** mesh-topology.ts's defaults (maxNeighbours, maxMessageBytes). */
const TOPOLOGY_MAX_NEIGHBOURS = 64

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 4096 }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map(b => new Uint8Array(Array.from({ length: 600 }, (_, i) => b[i % b.length] ?? 0)))
)

const addressText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('ws://12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN@127.0.0.1:9090', 'memory://12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN@x')
)
const pexMessage: fc.Arbitrary<PexMessage> = fc.oneof(
  fc.record({ request: fc.record({ limit: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }) }) }),
  fc.record({ response: fc.record({ addresses: fc.array(addressText, { maxLength: 120 }) }) }),
  fc.constant({})
)
const pexStream = fc.array(pexMessage, { minLength: 1, maxLength: 3 })
  .map(messages => new Uint8Array(messages.flatMap(m => [...encodePexFrame(m)])))

/** What peer-exchange.ts does with a side's bytes: split, decode the first frame, parse its addresses. */
function readLikePex (bytes: Uint8Array, maxFrameBytes: number): void {
  peekPexFrameLength(bytes)
  const split = splitPexFrames(bytes, maxFrameBytes)
  if (!split.ok) {
    expect(['truncated', 'oversized']).toContain(split.problem)
    return
  }
  let total = 0
  for (const frame of split.frames) {
    expect(frame.byteLength).toBeLessThanOrEqual(maxFrameBytes)
    total += frame.byteLength
  }
  expect(total).toBeLessThanOrEqual(bytes.byteLength)
  for (const frame of split.frames) {
    const message = decodePexMessage(frame, maxAddressesPerResponse)
    expect(['request', 'response', 'invalid', 'too-many-addresses']).toContain(message.kind)
    if (message.kind === 'request' && message.limit !== undefined) expect(Number.isInteger(message.limit)).toBe(true)
    if (message.kind === 'response') {
      expect(message.addresses.length).toBeLessThanOrEqual(maxAddressesPerResponse)
      for (const text of message.addresses) {
        expect(typeof text).toBe('string')
        try {
          parseNodeAddress(text)
        } catch (err) {
          if (!(err instanceof InvalidNodeAddressError)) throw err
        }
      }
    }
  }
}

/** A protons decoder may throw, but only as a decoder does: an Error that is no programming error. */
function decodeOrDecodeError<T> (decode: () => T): T | undefined {
  try {
    return decode()
  } catch (err) {
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(TypeError)
    expect(err).not.toBeInstanceOf(ReferenceError)
    expect(err).not.toBeInstanceOf(SyntaxError)
    return undefined
  }
}

describe('fuzz › peer exchange frames', () => {
  it('arbitrary bytes: splitting and decoding never throw, frames stay within the cap', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(anyBytes, bytes => {
      readLikePex(bytes, maxMessageBytes)
      readLikePex(bytes, PEX_MAX_REQUEST_BYTES)
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(3_000))

  it('valid request and response streams with random edits: never throw, at most the allowed addresses', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(mutatedBytes(pexStream), bytes => { readLikePex(bytes, maxMessageBytes) }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(20_000))

  it('a response with more addresses than allowed is reported as such, not decoded whole', () => {
    fc.assert(fc.property(fc.integer({ min: maxAddressesPerResponse + 1, max: 5000 }), count => {
      const frame = PexMessage.encode({ response: { addresses: Array.from({ length: count }, () => '') } })
      expect(decodePexMessage(frame, maxAddressesPerResponse).kind).toBe('too-many-addresses')
    }), { ...fuzzParameters(), numRuns: Math.min(200, fuzzParameters().numRuns ?? 200) })
  })
})

const sessionMessage: fc.Arbitrary<SessionMessage> = fc.record({
  hello: fc.option(fc.record({ version: fc.nat({ max: 2 ** 32 - 1 }), role: fc.string({ maxLength: 12 }) }), { nil: undefined }),
  goodbye: fc.option(fc.record({ reason: fc.constantFrom(Goodbye.Reason.UNSPECIFIED, Goodbye.Reason.SHUTDOWN, Goodbye.Reason.EVICTED, Goodbye.Reason.BANNED, Goodbye.Reason.DUPLICATE) }), { nil: undefined })
})
const neighbour = fc.record({
  peerId: fc.string({ maxLength: 52 }),
  transport: fc.constantFrom('webrtc', 'websocket', 'circuit', 'tcp', 'memory', 'webrtc-direct', 'smoke-signal'),
  outbound: fc.boolean(),
  rttMs: fc.nat({ max: 2 ** 32 - 1 })
})
const neighbourList: fc.Arbitrary<NeighbourList> = fc.record({
  seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  role: fc.constantFrom('relay', 'node', 'browser', '', 'x'),
  // up to the limit, and (a list of a hostile publisher) past it
  neighbours: fc.oneof(fc.array(neighbour, { maxLength: TOPOLOGY_MAX_NEIGHBOURS }), fc.array(neighbour, { minLength: TOPOLOGY_MAX_NEIGHBOURS + 1, maxLength: 200 }))
})
const broadcastText: fc.Arbitrary<BroadcastText> = fc.record({ text: fc.string({ maxLength: 300 }), sentAt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) })

describe('fuzz › session, topology and broadcast decoders', () => {
  it('SessionMessage: arbitrary and edited messages decode or fail as a decoder fails', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(fc.oneof(anyBytes, mutatedBytes(sessionMessage.map(m => SessionMessage.encode(m)))), bytes => {
      const m = decodeOrDecodeError(() => SessionMessage.decode(bytes))
      if (m?.hello != null) {
        expect(typeof m.hello.role).toBe('string')
        expect(Number.isInteger(m.hello.version)).toBe(true)
      }
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(3_000))

  it('NeighbourList: with the topology\'s limit, never more than 64 neighbours come out', () => {
    const before = heapAfterGc()
    let overLimit = 0
    fc.assert(fc.property(fc.oneof(anyBytes, mutatedBytes(neighbourList.map(m => NeighbourList.encode(m)))), bytes => {
      try {
        const list = NeighbourList.decode(bytes, { limits: { neighbours: TOPOLOGY_MAX_NEIGHBOURS } })
        expect(list.neighbours.length).toBeLessThanOrEqual(TOPOLOGY_MAX_NEIGHBOURS)
        expect(typeof list.seq).toBe('bigint')
      } catch (err) {
        if (err instanceof MaxLengthError) overLimit++
        decodeOrDecodeError(() => { throw err })
      }
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
    expect(overLimit).toBeGreaterThan(0) // the premise: lists over the limit were generated and refused
  }, fuzzTimeout(10_000))

  it('BroadcastText: arbitrary and edited messages decode or fail as a decoder fails', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(fc.oneof(anyBytes, mutatedBytes(broadcastText.map(m => BroadcastText.encode(m)))), bytes => {
      const m = decodeOrDecodeError(() => BroadcastText.decode(bytes))
      if (m != null) expect(typeof m.text).toBe('string')
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(3_000))
})
