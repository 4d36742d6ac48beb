/**
 * The peer exchange between real libp2p nodes (memory transport, noise, yamux, identify), with
 * hostile peers that speak the protocol by hand on raw streams.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseNodeAddress } from '../../src/address/index.js'
import { PEX_PROTOCOL } from '../../src/pex/constants.js'
import { decodePexMessage, encodePexFrame, splitPexFrames } from '../../src/pex/framing.js'
import {
  PexInvalidMessageError,
  PexMessageTooLargeError,
  PexMostlyInvalidAddressesError,
  PexNoResponseError,
  PexPeerNotConnectedError,
  PexRequestInProgressError,
  PexTimeoutError,
  PexTooManyAddressesError,
  PexUnsolicitedMessageError
} from '../../src/pex/index.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'
import { addressesOfNewPeers, connect, openRawStream, MemoryExchangeBook, newPeerId, rawExchange, TestNodes, type Collected, type PexTestNode } from './fixtures.js'

const nodes = new TestNodes()
afterEach(async () => { await nodes.stopAll() })

/** The addresses in a raw response, failing the test if it is anything else. */
function responseAddresses (collected: Collected): string[] {
  expect(collected.error).toBeUndefined()
  const split = splitPexFrames(collected.bytes, 1 << 20)
  if (!split.ok) throw new Error(`not a frame sequence: ${split.problem}`)
  expect(split.frames).toHaveLength(1)
  const message = decodePexMessage(split.frames[0] ?? new Uint8Array(), 10_000)
  if (message.kind !== 'response') throw new Error(`expected a response, got ${message.kind}`)
  return message.addresses
}

/** Makes `hostile` answer every PEX stream with `bytes` (then close), and count the streams. */
async function answerWith (hostile: Libp2p, bytes: Uint8Array | null): Promise<{ streams: Stream[] }> {
  const seen = { streams: [] as Stream[] }
  await hostile.handle(PEX_PROTOCOL, async (stream) => {
    seen.streams.push(stream)
    if (bytes === null) return // never answer
    try {
      stream.send(bytes)
      await stream.close()
    } catch {
      // the requester may reset first
    }
  }, { runOnLimitedConnection: true })
  return seen
}

function frame (addresses: string[]): Uint8Array {
  return encodePexFrame({ response: { addresses } })
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

async function requesterAndHostileResponder (): Promise<{ requester: PexTestNode, hostile: Libp2p, clock: ReturnType<typeof createFakeClock> }> {
  const clock = createFakeClock(1_000_000)
  const requester = await nodes.pexNode({ clock, book: new MemoryExchangeBook({ known: await addressesOfNewPeers(2) }) })
  const hostile = await nodes.bareNode()
  await connect(requester.libp2p, hostile)
  return { requester, hostile, clock }
}

async function expectRejection (promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected the promise to reject')
}

describe('peer exchange between real nodes', () => {
  it('puts the responder\'s addresses in the requester\'s book as gossip, relayed ones intact', async () => {
    const clock = createFakeClock(1_000_000)
    const relayA = await newPeerId()
    const relayB = await newPeerId()
    const known = await addressesOfNewPeers(5)
    const responder = await nodes.pexNode({ clock, book: new MemoryExchangeBook({ known }) })
    // the router gives the book our own relayed WebRTC addresses: one per relay reservation
    const self = responder.libp2p.peerId.toString()
    const ownRelayed = parseNodeAddress(`/ip4/127.0.0.1/tcp/4002/ws/p2p/${relayA.toString()}/p2p-circuit/webrtc/p2p/${self}`)
    const ownSecondRelay = parseNodeAddress(`/dns4/relay.example.com/tcp/443/tls/ws/p2p/${relayB.toString()}/p2p-circuit/webrtc/p2p/${self}`)
    responder.book.setOwn([ownRelayed, ownSecondRelay])
    const requester = await nodes.pexNode({ clock })
    await connect(requester.libp2p, responder.libp2p)

    const result = await requester.pex.request(responder.libp2p.peerId)

    expect(result).toEqual({ added: 7, rejected: 0, invalid: 0 })
    expect(requester.book.urls()).toEqual([ownRelayed.toString(), ownSecondRelay.toString(), ...known.map(a => a.toString())])
    expect(ownRelayed.toString()).toMatch(/^webrtc\+ws:\/\//)
    expect(requester.book.urls().every(url => requester.book.sourceOf(url) === 'gossip')).toBe(true)
    expect(requester.pex.stats()).toMatchObject({ requestsSent: 1, responsesReceived: 1, addressesAdded: 7, penalties: 0 })
    expect(responder.pex.stats()).toMatchObject({ requestsReceived: 1, responsesSent: 1, addressesSent: 7, penalties: 0 })
  })

  it('sends at most maxAddressesPerResponse (100) addresses, and fewer when asked for fewer', async () => {
    const clock = createFakeClock(1_000_000)
    const responder = await nodes.pexNode({ clock, book: new MemoryExchangeBook({ known: await addressesOfNewPeers(150) }) })
    const asker = await nodes.bareNode()

    const many = await rawExchange(asker, responder.libp2p, PEX_PROTOCOL, encodePexFrame({ request: { limit: 1_000 } }))
    expect(responseAddresses(many)).toHaveLength(100)

    clock.advance(500)
    const unset = await rawExchange(asker, responder.libp2p, PEX_PROTOCOL, encodePexFrame({ request: {} }))
    expect(responseAddresses(unset)).toHaveLength(100)

    clock.advance(500)
    const few = await rawExchange(asker, responder.libp2p, PEX_PROTOCOL, encodePexFrame({ request: { limit: 5 } }))
    expect(responseAddresses(few)).toHaveLength(5)
    expect(responder.reporter.penalties).toEqual([])
  })

  it('keeps a response within maxMessageBytes by sending fewer addresses', async () => {
    const clock = createFakeClock(1_000_000)
    const known = await addressesOfNewPeers(100)
    const responder = await nodes.pexNode({ clock, maxMessageBytes: 2_048, book: new MemoryExchangeBook({ known }) })
    const asker = await nodes.bareNode()
    const collected = await rawExchange(asker, responder.libp2p, PEX_PROTOCOL, encodePexFrame({ request: {} }))
    const addresses = responseAddresses(collected)
    expect(addresses.length).toBeGreaterThan(10)
    expect(addresses.length).toBeLessThan(100)
    expect(collected.bytes.length).toBeLessThanOrEqual(2_048 + 2)
    expect(addresses).toEqual(known.slice(0, addresses.length).map(a => a.toString()))
  })

  it('never sends the requester its own addresses', async () => {
    const clock = createFakeClock(1_000_000)
    const asker = await nodes.bareNode()
    const askerAddresses = [
      parseNodeAddress(`tcp://${asker.peerId.toString()}@10.9.9.9:4001`),
      parseNodeAddress(`ws://${asker.peerId.toString()}@10.9.9.9:8080`)
    ]
    const others = await addressesOfNewPeers(3)
    const responder = await nodes.pexNode({
      clock,
      book: new MemoryExchangeBook({ known: [others[0]!, askerAddresses[0]!, others[1]!, askerAddresses[1]!, others[2]!] })
    })

    const addresses = responseAddresses(await rawExchange(asker, responder.libp2p, PEX_PROTOCOL, encodePexFrame({ request: {} })))

    expect(addresses).toEqual(others.map(a => a.toString()))
  })

  it('drops received addresses that name the requester itself, and counts them as rejected', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const [a, b] = await addressesOfNewPeers(2)
    const mine = `tcp://${requester.libp2p.peerId.toString()}@10.1.1.1:4001`
    await answerWith(hostile, frame([mine, a!.toString(), b!.toString(), a!.toString()]))

    const result = await requester.pex.request(hostile.peerId)

    expect(result).toEqual({ added: 2, rejected: 2, invalid: 0 })
    expect(requester.book.urls()).not.toContain(mine)
    expect(requester.book.added).not.toContain(mine)
    expect(requester.reporter.penalties).toEqual([])
  })

  it('skips and counts invalid addresses without penalty while most are valid', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const valid = (await addressesOfNewPeers(4)).map(a => a.toString())
    await answerWith(hostile, frame([valid[0]!, 'not an address', valid[1]!, 'tcp://nobody@10.0.0.1:1', valid[2]!, valid[3]!]))

    const result = await requester.pex.request(hostile.peerId)

    expect(result).toEqual({ added: 4, rejected: 0, invalid: 2 })
    expect(requester.book.urls()).toEqual(expect.arrayContaining(valid))
    expect(requester.pex.stats()).toMatchObject({ addressesInvalid: 2, addressesAdded: 4, penalties: 0 })
    expect(requester.reporter.penalties).toEqual([])
  })

  it('uses an existing connection only: a peer we are not connected to is refused, nothing is dialed', async () => {
    const clock = createFakeClock(1_000_000)
    const requester = await nodes.pexNode({ clock })
    const stranger = await nodes.bareNode()
    const err = await expectRejection(requester.pex.request(stranger.peerId))
    expect(err).toBeInstanceOf(PexPeerNotConnectedError)
    expect(requester.libp2p.getConnections(stranger.peerId)).toHaveLength(0)
  })

  it('keeps one request outstanding per peer', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const seen = await answerWith(hostile, null)
    const first = requester.pex.request(hostile.peerId)
    const second = await expectRejection(requester.pex.request(hostile.peerId))
    expect(second).toBeInstanceOf(PexRequestInProgressError)
    await vi.waitFor(() => { expect(seen.streams).toHaveLength(1) })
    await requester.libp2p.stop()
    await expectRejection(first)
  })

  it('asks a connected peer by itself on the scheduler\'s clock', async () => {
    const clock = createFakeClock(1_000_000)
    const known = await addressesOfNewPeers(3)
    const responder = await nodes.pexNode({ clock, book: new MemoryExchangeBook({ known }) })
    const requester = await nodes.pexNode({ clock, random: () => 0.5 })
    await connect(requester.libp2p, responder.libp2p)

    requester.pex.startRequesting(responder.libp2p.peerId)
    // the requester's book knows nobody, so it asks at once
    expect(requester.pex.scheduledPeers()).toEqual([expect.objectContaining({ peerId: responder.libp2p.peerId.toString(), nextRequestAt: 1_000_000 })])
    clock.advance(0)

    await vi.waitFor(() => { expect(requester.book.urls()).toHaveLength(3) })
    // three new addresses, a book of 3 peers with no cap: the base 30 s (new addresses never shorten it)
    await vi.waitFor(() => { expect(requester.pex.scheduledPeers()[0]?.nextRequestAt).toBe(clock.now() + 30_000) })
    requester.pex.stopRequesting(responder.libp2p.peerId)
    expect(requester.pex.scheduledPeers()).toEqual([])
  })

  it('stops asking a scheduled peer that is no longer connected', async () => {
    const clock = createFakeClock(1_000_000)
    const responder = await nodes.pexNode({ clock })
    const requester = await nodes.pexNode({ clock, random: () => 0.5 })
    await connect(requester.libp2p, responder.libp2p)
    requester.pex.startRequesting(responder.libp2p.peerId)
    await requester.libp2p.hangUp(responder.libp2p.peerId)

    clock.advance(1_000)

    await vi.waitFor(() => { expect(requester.pex.scheduledPeers()).toEqual([]) })
    expect(clock.pendingTimers()).toBe(0)
    expect(requester.pex.stats()).toMatchObject({ requestsSent: 0 })
  })
})

describe('a hostile responder', () => {
  it('sending an oversized response is penalised and changes nothing', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const before = requester.book.urls()
    const huge = new Uint8Array(40 * 1024).fill(0x0a)
    await answerWith(hostile, concat(Uint8Array.of(0x80, 0xc0, 0x02), huge)) // declares 40 KiB

    const err = await expectRejection(requester.pex.request(hostile.peerId))

    expect(err).toBeInstanceOf(PexMessageTooLargeError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 10, reason: 'pex/oversized-message' }])
    expect(requester.book.urls()).toEqual(before)
    expect(requester.book.added).toEqual([])
  })

  it('sending garbage bytes is penalised as an invalid message', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    await answerWith(hostile, Uint8Array.of(0x04, 0xff, 0xff, 0xff, 0xff))

    const err = await expectRejection(requester.pex.request(hostile.peerId))

    expect(err).toBeInstanceOf(PexInvalidMessageError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 10, reason: 'pex/invalid-message' }])
    expect(requester.book.added).toEqual([])
  })

  it('closing inside a frame is penalised as an invalid message', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const whole = frame((await addressesOfNewPeers(2)).map(a => a.toString()))
    await answerWith(hostile, whole.subarray(0, whole.length - 3))

    expect(await expectRejection(requester.pex.request(hostile.peerId))).toBeInstanceOf(PexInvalidMessageError)
    expect(requester.book.added).toEqual([])
  })

  it('sending more than 100 addresses is penalised, and none of them is kept', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    await answerWith(hostile, frame((await addressesOfNewPeers(101)).map(a => a.toString())))

    const err = await expectRejection(requester.pex.request(hostile.peerId))

    expect(err).toBeInstanceOf(PexTooManyAddressesError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 10, reason: 'pex/too-many-addresses' }])
    expect(requester.book.added).toEqual([])
  })

  it('sending an extra message after its response is penalised as unsolicited, and the response is discarded', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const addresses = (await addressesOfNewPeers(2)).map(a => a.toString())
    await answerWith(hostile, concat(frame(addresses), frame(addresses)))

    const err = await expectRejection(requester.pex.request(hostile.peerId))

    expect(err).toBeInstanceOf(PexUnsolicitedMessageError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 15, reason: 'pex/unsolicited-message' }])
    expect(requester.book.added).toEqual([])
  })

  it('sending a request instead of a response is penalised as unsolicited', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    await answerWith(hostile, encodePexFrame({ request: { limit: 3 } }))
    expect(await expectRejection(requester.pex.request(hostile.peerId))).toBeInstanceOf(PexUnsolicitedMessageError)
    expect(requester.reporter.penalties.map(p => p.reason)).toEqual(['pex/unsolicited-message'])
  })

  it('sending mostly invalid addresses is penalised and the whole response discarded', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    const [valid] = await addressesOfNewPeers(1)
    await answerWith(hostile, frame([valid!.toString(), 'junk-1', 'junk-2', 'tcp://x@1.2.3.4:5']))

    const err = await expectRejection(requester.pex.request(hostile.peerId))

    expect(err).toBeInstanceOf(PexMostlyInvalidAddressesError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 10, reason: 'pex/mostly-invalid-addresses' }])
    expect(requester.book.added).toEqual([])
    expect(requester.pex.stats().addressesInvalid).toBe(3)
  })

  it('closing without a response is not penalised (it may be rate-limiting us)', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    await answerWith(hostile, new Uint8Array(0))
    expect(await expectRejection(requester.pex.request(hostile.peerId))).toBeInstanceOf(PexNoResponseError)
    expect(requester.reporter.penalties).toEqual([])
  })

  it('never answering times out on the injected clock with a timeout penalty', async () => {
    const { requester, hostile, clock } = await requesterAndHostileResponder()
    const seen = await answerWith(hostile, null)
    const pending = expectRejection(requester.pex.request(hostile.peerId))
    await vi.waitFor(() => { expect(seen.streams).toHaveLength(1) })

    clock.advance(10_000)

    expect(await pending).toBeInstanceOf(PexTimeoutError)
    expect(requester.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 5, reason: 'pex/timeout' }])
    expect(clock.pendingTimers()).toBe(0)
  })

  it('leaves the requester working: a later honest exchange succeeds', async () => {
    const { requester, hostile } = await requesterAndHostileResponder()
    await answerWith(hostile, Uint8Array.of(0x03, 0xde, 0xad, 0xbe))
    await expectRejection(requester.pex.request(hostile.peerId))

    const honest = await nodes.pexNode({ clock: createFakeClock(0), book: new MemoryExchangeBook({ known: await addressesOfNewPeers(2) }) })
    await connect(requester.libp2p, honest.libp2p)
    expect(await requester.pex.request(honest.libp2p.peerId)).toEqual({ added: 2, rejected: 0, invalid: 0 })
    expect(requester.libp2p.status).toBe('started')
  })
})

describe('a hostile requester', () => {
  async function responderAndHostileRequester (): Promise<{ responder: PexTestNode, hostile: Libp2p, clock: ReturnType<typeof createFakeClock>, ask: (bytes: Uint8Array) => Promise<Collected> }> {
    const clock = createFakeClock(1_000_000)
    const responder = await nodes.pexNode({ clock, book: new MemoryExchangeBook({ known: await addressesOfNewPeers(3) }) })
    const hostile = await nodes.bareNode()
    const ask = async (bytes: Uint8Array): Promise<Collected> => await rawExchange(hostile, responder.libp2p, PEX_PROTOCOL, bytes)
    return { responder, hostile, clock, ask }
  }

  function expectPenalty (responder: PexTestNode, hostile: PeerId, points: number, reason: string): void {
    expect(responder.reporter.penalties).toEqual([{ peerId: hostile.toString(), points, reason }])
    expect(responder.pex.stats()).toMatchObject({ responsesSent: 0, addressesSent: 0, penalties: 1, penaltyPoints: points })
  }

  it('asking again within minRequestIntervalMs is penalised and ignored', async () => {
    const { responder, hostile, clock, ask } = await responderAndHostileRequester()
    expect(responseAddresses(await ask(encodePexFrame({ request: {} })))).toHaveLength(3)

    clock.advance(499)
    const refused = await ask(encodePexFrame({ request: {} }))

    expect(refused.bytes).toHaveLength(0)
    expect(refused.error).toBeDefined()
    expect(responder.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 10, reason: 'pex/request-too-soon' }])
    expect(responder.pex.stats()).toMatchObject({ requestsReceived: 2, requestsRefused: 1, responsesSent: 1 })

    clock.advance(1)
    expect(responseAddresses(await ask(encodePexFrame({ request: {} })))).toHaveLength(3)
  })

  it('sending a response on its request stream is penalised as unsolicited', async () => {
    const { responder, hostile, ask } = await responderAndHostileRequester()
    const answer = await ask(frame(['tcp://whatever@1.2.3.4:5']))
    expect(answer.bytes).toHaveLength(0)
    expectPenalty(responder, hostile.peerId, 15, 'pex/unsolicited-message')
    expect(responder.book.added).toEqual([])
  })

  it('sending two requests on one stream is penalised as unsolicited', async () => {
    const { responder, hostile, ask } = await responderAndHostileRequester()
    await ask(concat(encodePexFrame({ request: {} }), encodePexFrame({ request: {} })))
    expectPenalty(responder, hostile.peerId, 15, 'pex/unsolicited-message')
  })

  it('sending garbage is penalised as an invalid message', async () => {
    const { responder, hostile, ask } = await responderAndHostileRequester()
    await ask(Uint8Array.of(0x02, 0xff, 0xff))
    expectPenalty(responder, hostile.peerId, 10, 'pex/invalid-message')
  })

  it('sending nothing at all is not penalised (its connection may be closing) but counts as a request', async () => {
    const { responder, hostile, ask } = await responderAndHostileRequester()
    const answer = await ask(new Uint8Array(0))
    expect(answer.bytes).toHaveLength(0)
    expect(responder.reporter.penalties).toEqual([])
    expect(responder.pex.stats()).toMatchObject({ requestsReceived: 1, responsesSent: 0 })
    // …so emptying streams at a peer is still rate-limited like requests are
    await ask(encodePexFrame({ request: {} }))
    expectPenalty(responder, hostile.peerId, 10, 'pex/request-too-soon')
  })

  it('sending an oversized request is penalised', async () => {
    const { responder, hostile, ask } = await responderAndHostileRequester()
    const padding = new Uint8Array(2_000).fill(0x08)
    await ask(concat(Uint8Array.of(0xd0, 0x0f), padding))
    expectPenalty(responder, hostile.peerId, 10, 'pex/oversized-message')
  })

  it('never finishing its request times out with a timeout penalty', async () => {
    const { responder, hostile, clock } = await responderAndHostileRequester()
    const stream = await openRawStream(hostile, responder.libp2p, PEX_PROTOCOL)
    stream.send(Uint8Array.of(0x05, 0x0a)) // a frame that never completes
    await vi.waitFor(() => { expect(responder.pex.stats().requestsReceived).toBe(1) })

    clock.advance(10_000)

    await vi.waitFor(() => { expect(responder.reporter.penalties).toEqual([{ peerId: hostile.peerId.toString(), points: 5, reason: 'pex/timeout' }]) })
    expect(clock.pendingTimers()).toBe(0)
  })
})
