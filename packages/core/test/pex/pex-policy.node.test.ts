/**
 * The peer exchange's decisions without streams, on a fake clock: the inbound rate limit and its
 * penalty, what an answer holds and in which order, how responses are validated.
 */
import { describe, expect, it } from 'vitest'
import { PEX_PENALTY_POINTS } from '../../src/pex/constants.js'
import { PexMostlyInvalidAddressesError, PexRequestTooSoonError, PexUnsolicitedMessageError } from '../../src/pex/errors.js'
import { createPeerExchangeOptions } from '../../src/pex/options.js'
import { PexPolicy } from '../../src/pex/pex-policy.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'
import { addressesOfNewPeers, MemoryExchangeBook, newPeerId, RecordingReporter } from './fixtures.js'

async function setup (init: { slotHint?: (peerId: string) => number, known?: number } = {}) {
  const clock = createFakeClock(1_000_000)
  const known = await addressesOfNewPeers(init.known ?? 6)
  const book = new MemoryExchangeBook({ known })
  const reporter = new RecordingReporter()
  const self = (await newPeerId()).toString()
  const policy = new PexPolicy({ selfId: self, book, reporter, clock, options: createPeerExchangeOptions(), ...(init.slotHint != null ? { slotHint: init.slotHint } : {}) })
  return { clock, known, book, reporter, self, policy }
}

describe('PexPolicy', () => {
  it('refuses and penalises a peer that asks again sooner than minRequestIntervalMs', async () => {
    const { clock, policy, reporter } = await setup()
    const remote = (await newPeerId()).toString()
    expect(policy.inboundRequest(remote)).toBeUndefined()
    clock.advance(499)
    expect(policy.inboundRequest(remote)).toBeInstanceOf(PexRequestTooSoonError)
    expect(reporter.penalties).toEqual([{ peerId: remote, points: PEX_PENALTY_POINTS['request-too-soon'], reason: 'pex/request-too-soon' }])
    clock.advance(501)
    expect(policy.inboundRequest(remote)).toBeUndefined()
    expect(policy.stats()).toMatchObject({ requestsReceived: 3, requestsRefused: 1, penalties: 1 })
  })

  it('answers within the limit asked for, never with the requester\'s own address', async () => {
    const { policy, known } = await setup()
    const requester = known[0]!.peerId
    // the book offers the requester's own address among its first three; it is left out
    expect(policy.answer(requester, 3)).toEqual([known[1]!.toString(), known[2]!.toString()])
    expect(policy.answer(known[5]!.peerId, 3)).toEqual(known.slice(0, 3).map(a => a.toString()))
  })

  it('puts peers with free slots first when it has a slot hint, keeping the book\'s order within a class', async () => {
    let full = new Set<string>()
    const { policy, known } = await setup({ slotHint: (peerId) => full.has(peerId) ? 2 : 1, known: 6 })
    full = new Set(known.slice(0, 4).map(a => a.peerId))
    const requester = (await newPeerId()).toString()
    const answer = policy.answer(requester, 3)
    expect(answer).toEqual([known[4]!.toString(), known[5]!.toString(), known[0]!.toString()])
  })

  it('parses a request and refuses a response sent in its place', async () => {
    const { policy } = await setup()
    const remote = (await newPeerId()).toString()
    const request = policy.requestFrame()
    expect(policy.parseRequest(remote, request)).toBe(100)
    expect(() => policy.parseRequest(remote, policy.responseFrame([]))).toThrow(PexUnsolicitedMessageError)
  })

  it('asks for the room left in its book (at least 10), and for all it may while below its minimum degree', async () => {
    const clock = createFakeClock(1_000_000)
    const self = (await newPeerId()).toString()
    const remote = (await newPeerId()).toString()
    const known = await addressesOfNewPeers(40)
    const limitFor = (capacity: number, starving: boolean): number => {
      const book = Object.assign(new MemoryExchangeBook({ known, capacity }), { starving: () => starving })
      const policy = new PexPolicy({ selfId: self, book, clock, options: createPeerExchangeOptions() })
      return policy.parseRequest(remote, policy.requestFrame())
    }
    // 40 known: room for 160, 25, 2 (a refresh of 10) and 0; capacity 0 is unlimited
    expect([limitFor(200, false), limitFor(65, false), limitFor(42, false), limitFor(40, false), limitFor(0, false)]).toEqual([100, 25, 10, 10, 100])
    expect(limitFor(40, true)).toBe(100)
  })

  it('discards a response that is mostly invalid, and takes the valid ones of a mostly valid one', async () => {
    const { policy, book } = await setup({ known: 0 })
    const remote = (await newPeerId()).toString()
    const good = (await addressesOfNewPeers(3, 4100)).map(a => a.toString())
    expect(() => policy.acceptResponse(remote, [good[0]!, 'nonsense', 'more nonsense'])).toThrow(PexMostlyInvalidAddressesError)
    expect(book.added).toHaveLength(0)
    expect(policy.acceptResponse(remote, [...good, 'nonsense'])).toEqual({ added: 3, rejected: 0, invalid: 1 })
    expect(policy.parseResponse(remote, policy.responseFrame(good))).toEqual(good)
  })
})
