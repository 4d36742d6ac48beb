import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import { describe, expect, it, vi } from 'vitest'
import { PEX_DEFAULTS } from '../../src/pex/constants.js'
import { PexRequestScheduler, type PexRequestOutcome } from '../../src/pex/request-scheduler.js'
import { createFakeClock, type FakeClock } from '../../src/testing/fake-clock.js'

async function newPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** A request function the test answers by hand, one call at a time. */
class HandAnsweredRequests {
  readonly calls: Array<{ peer: string, signal: AbortSignal | undefined, answer: (outcome: PexRequestOutcome) => void, fail: (err: Error) => void }> = []

  readonly request = async (peer: PeerId, options: AbortOptions): Promise<PexRequestOutcome> => {
    return await new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
      this.calls.push({ peer: peer.toString(), signal: options.signal, answer: resolve, fail: reject })
    })
  }

  last (): HandAnsweredRequests['calls'][number] {
    const call = this.calls.at(-1)
    if (call === undefined) throw new Error('no request was made')
    return call
  }
}

function setup (book: { knownPeerCount: () => number, capacity: () => number, starving?: () => boolean } = { knownPeerCount: () => 10, capacity: () => 0 }): { clock: FakeClock, requests: HandAnsweredRequests, scheduler: PexRequestScheduler, errors: unknown[] } {
  const clock = createFakeClock(1_000_000)
  const requests = new HandAnsweredRequests()
  const errors: unknown[] = []
  const scheduler = new PexRequestScheduler({
    clock,
    random: () => 0.5,
    book,
    options: PEX_DEFAULTS,
    request: requests.request,
    onRequestError: (_peer, err) => { errors.push(err) }
  })
  return { clock, requests, scheduler, errors }
}

describe('PexRequestScheduler', () => {
  it('asks a started peer after the first-request delay, and not before', async () => {
    const { clock, requests, scheduler } = setup()
    const peer = await newPeerId()
    scheduler.start(peer)
    expect(scheduler.scheduled()).toEqual([{ peerId: peer.toString(), nextRequestAt: 1_001_000, lastAddedCount: 0, unproductiveStreak: 0 }])
    clock.advance(999)
    expect(requests.calls).toHaveLength(0)
    clock.advance(1)
    expect(requests.calls.map(c => c.peer)).toEqual([peer.toString()])
    expect(scheduler.scheduled()[0]?.nextRequestAt).toBeUndefined()
  })

  it('asks at once when the book knows nobody (a newcomer needs addresses now)', async () => {
    const { clock, requests, scheduler } = setup({ knownPeerCount: () => 0, capacity: () => 0 })
    const peer = await newPeerId()
    scheduler.start(peer)
    expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(1_000_000)
    clock.advance(0)
    expect(requests.calls.map(c => c.peer)).toEqual([peer.toString()])
  })

  it('asks at once while the node is below its minimum degree, then backs off as answers add nothing', async () => {
    const { clock, requests, scheduler } = setup({ knownPeerCount: () => 200, capacity: () => 260, starving: () => true })
    const peer = await newPeerId()
    scheduler.start(peer)
    expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(1_000_000)
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      clock.advance(0)
      const askedAt = clock.now()
      requests.last().answer({ added: i === 0 ? 5 : 0 })
      await Promise.resolve()
      await Promise.resolve()
      const next = scheduler.scheduled()[0]?.nextRequestAt as number
      waits.push(next - askedAt)
      clock.advance(next - askedAt)
    }
    // productive answer: a second; then 2, 4, 8, 16 s and the 30 s base interval
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
  })

  it('schedules the next request only once the previous one settled, at the adaptive delay', async () => {
    const { clock, requests, scheduler } = setup()
    const peer = await newPeerId()
    scheduler.start(peer)
    clock.advance(1_000)
    expect(clock.pendingTimers()).toBe(0)
    requests.last().answer({ added: 9 })
    // the base 30 s: nine new addresses do not make us ask sooner
    await vi.waitFor(() => { expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(clock.now() + 30_000) })
    expect(scheduler.scheduled()[0]).toMatchObject({ lastAddedCount: 9, unproductiveStreak: 0 })
  })

  it('backs off after responses that add nothing and after failures', async () => {
    const { clock, requests, scheduler, errors } = setup()
    const peer = await newPeerId()
    scheduler.start(peer)
    clock.advance(1_000)
    requests.last().answer({ added: 0 })
    await vi.waitFor(() => { expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(clock.now() + 60_000) })
    clock.advance(60_000)
    requests.last().fail(new Error('stream reset'))
    await vi.waitFor(() => { expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(clock.now() + 120_000) })
    expect(scheduler.scheduled()[0]).toMatchObject({ lastAddedCount: 0, unproductiveStreak: 2 })
    expect(errors).toHaveLength(1)
  })

  it('asks every second while the book is empty', async () => {
    const { clock, requests, scheduler } = setup({ knownPeerCount: () => 0, capacity: () => 260 })
    const peer = await newPeerId()
    scheduler.start(peer)
    clock.advance(1_000)
    requests.last().answer({ added: 0 })
    await vi.waitFor(() => { expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(clock.now() + 1_000) })
  })

  it('keeps one schedule per peer however often it is started', async () => {
    const { clock, requests, scheduler } = setup()
    const peer = await newPeerId()
    scheduler.start(peer)
    scheduler.start(peer)
    expect(clock.pendingTimers()).toBe(1)
    clock.advance(1_000)
    expect(requests.calls).toHaveLength(1)
  })

  it('stops a peer: cancels its timer, or aborts its request in flight without rescheduling', async () => {
    const { clock, requests, scheduler, errors } = setup()
    const waiting = await newPeerId()
    const busy = await newPeerId()
    scheduler.start(busy)
    clock.advance(500)
    scheduler.start(waiting)
    clock.advance(500)
    expect(requests.calls.map(c => c.peer)).toEqual([busy.toString()])

    scheduler.stop(waiting)
    scheduler.stop(busy)
    expect(requests.last().signal?.aborted).toBe(true)
    expect(requests.last().signal?.reason).toMatchObject({ name: 'PexSchedulerStoppedError' })
    await vi.waitFor(() => { expect(clock.pendingTimers()).toBe(0) })
    expect(scheduler.scheduled()).toEqual([])
    expect(errors).toEqual([])
  })

  it('stopAll leaves no timer behind', async () => {
    const { clock, scheduler } = setup()
    for (let i = 0; i < 3; i++) scheduler.start(await newPeerId())
    expect(clock.pendingTimers()).toBe(3)
    scheduler.stopAll()
    expect(clock.pendingTimers()).toBe(0)
  })

  it('keeps asking with the base delay when the book cannot tell its size', async () => {
    const { clock, requests, scheduler, errors } = setup({ knownPeerCount: () => { throw new Error('closed') }, capacity: () => 0 })
    const peer = await newPeerId()
    scheduler.start(peer)
    clock.advance(1_000)
    requests.last().answer({ added: 1 })
    await vi.waitFor(() => { expect(scheduler.scheduled()[0]?.nextRequestAt).toBe(clock.now() + 30_000) })
    expect(errors).toHaveLength(1)
  })
})
