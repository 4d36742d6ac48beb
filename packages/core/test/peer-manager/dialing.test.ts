import { beforeAll, describe, expect, it } from 'vitest'
import {
  AlreadyConnectedError, ConnectionLimitError, PeerManagerClosedError, SelfConnectionError, UnknownPeerError
} from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress, openHarness, settledState, wsAddress } from './support.js'

let self: string
let a: string, b: string, c: string, d: string, e: string

beforeAll(async () => {
  [self, a, b, c, d, e] = await createPeerIds(6) as [string, string, string, string, string, string]
})

describe('PeerManager › dialNext', () => {
  // §2 scenario 5
  it('returns an address, then waits until something changes or it is aborted', async () => {
    const { pm, clock } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    expect((await pm.dialNext()).toString()).toBe(memoryAddress(a).toString())

    const controller = new AbortController()
    const waiting = pm.dialNext(controller.signal)
    expect(await settledState(waiting)).toBe('pending')
    clock.advance(60_000)
    expect(await settledState(waiting)).toBe('pending')
    controller.abort()
    await expect(waiting).rejects.toThrow(/abort/i)
    expect(clock.pendingTimers()).toBe(0)
  })

  // §2 scenario 7
  it('wakes a waiting dialNext when an address is added', async () => {
    const { pm } = await openHarness({ selfId: self })
    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.add(memoryAddress(a))
    expect((await waiting).peerId).toBe(a)
  })

  it('wakes a waiting dialNext when a failed dial frees the only slot', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 1 } })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()).toBeUndefined()

    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.dialFailed(memoryAddress(a))
    // Retries are off, so the freed slot goes to b.
    expect((await waiting).peerId).toBe(b)
  })

  it('wakes a waiting dialNext when the retry delay of a failed address has passed, on the clock', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { minRetryTimeMs: 200 } })
    pm.add(memoryAddress(a))
    const first = pm.tryDialNext()
    expect(first?.peerId).toBe(a)
    pm.dialFailed(memoryAddress(a))
    const failedAt = clock.now()

    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    expect(clock.nextTimerAt()).toBe(failedAt + 200)
    clock.advance(199)
    expect(await settledState(waiting)).toBe('pending')
    clock.advance(1)
    expect((await waiting).peerId).toBe(a)
    expect(clock.now() - failedAt).toBeGreaterThanOrEqual(200)
    expect(clock.pendingTimers()).toBe(0)
  })

  it('wakes a waiting dialNext when a connected peer disconnects (after the cooldown)', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { disconnectCooldownMs: 2_000 } })
    pm.add(memoryAddress(a))
    pm.accepted(a)
    expect(pm.tryDialNext()).toBeUndefined()

    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.disconnected(a)
    expect(await settledState(waiting)).toBe('pending')
    expect(pm.peer(a)?.state).toBe('backoff')
    clock.advance(2_000)
    expect((await waiting).peerId).toBe(a)
  })

  it('rejects pending and later calls with PeerManagerClosedError once closed', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { minRetryTimeMs: 100 } })
    pm.add(memoryAddress(a))
    pm.dialFailed(pm.tryDialNext() ?? memoryAddress(a))
    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    expect(clock.pendingTimers()).toBe(1)
    await pm.close()
    await expect(waiting).rejects.toBeInstanceOf(PeerManagerClosedError)
    await expect(pm.dialNext()).rejects.toBeInstanceOf(PeerManagerClosedError)
    expect(clock.pendingTimers()).toBe(0)
  })
})

describe('PeerManager › retry delay', () => {
  // §2 scenario 6
  it('grows with each failure (1×, 2×, 3×, 4× minRetryTime) and then stays capped', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { minRetryTimeMs: 100, maxRetryTimeMs: 400 } })
    pm.add(memoryAddress(a))
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      const started = clock.now()
      const waiting = pm.dialNext()
      while (await settledState(waiting) === 'pending') clock.advance(1)
      waits.push(clock.now() - started)
      pm.dialFailed(await waiting)
    }
    expect(waits).toEqual([0, 100, 200, 300, 400, 400, 400])
  })

  it('adds a random jitter below retryTimeJitterMs to each wait', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { minRetryTimeMs: 100, retryTimeJitterMs: 50 } })
    pm.add(memoryAddress(a))
    const jitters: number[] = []
    for (let failures = 1; failures <= 6; failures++) {
      const address = pm.tryDialNext()
      expect(address?.peerId).toBe(a)
      pm.dialFailed(address ?? memoryAddress(a))
      const wait = (pm.peer(a)?.until ?? 0) - clock.now()
      expect(wait).toBeGreaterThanOrEqual(100 * failures)
      expect(wait).toBeLessThan(100 * failures + 50)
      jitters.push(wait - 100 * failures)
      clock.advance(wait)
    }
    expect(new Set(jitters).size).toBeGreaterThan(1)
  })

  it('is capped at maxRetryTimePersistentMs for persistent peers', async () => {
    const { pm, clock } = await openHarness({
      selfId: self,
      options: { maxConnected: 4, minRetryTimeMs: 100, maxRetryTimeMs: 10_000, maxRetryTimePersistentMs: 150 },
      persistentPeers: [memoryAddress(a)]
    })
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      const address = pm.tryDialNext()
      expect(address?.peerId).toBe(a)
      pm.dialFailed(address ?? memoryAddress(a))
      const wait = (pm.peer(a)?.until ?? 0) - clock.now()
      waits.push(wait)
      clock.advance(wait)
    }
    expect(waits).toEqual([100, 150, 150, 150])
  })
})

describe('PeerManager › a full peer that hung up on us (refused)', () => {
  /** Dials `peerId`, connects, and is hung up on within the grace window: refused. */
  function refusedBy (pm: Awaited<ReturnType<typeof openHarness>>['pm'], peerId: string): void {
    const address = pm.tryDialNext()
    expect(address?.peerId).toBe(peerId)
    pm.dialed(address!)
    pm.disconnected(peerId)
    pm.dialFailed(address!, { refused: true })
  }

  it('doubles the wait per refusal in a row, although each dial connected (dialed() clears the failures)', async () => {
    const { pm, clock } = await openHarness({
      selfId: self,
      options: { maxConnected: 4, minRetryTimeMs: 100, refusedRetryTimeMs: 1_000, maxRetryTimeMs: 10_000, maxRetryTimePersistentMs: 6_000 },
      persistentPeers: [memoryAddress(a)]
    })
    const waits: number[] = []
    for (let i = 0; i < 5; i++) {
      refusedBy(pm, a)
      const wait = (pm.peer(a)?.until ?? 0) - clock.now()
      waits.push(wait)
      clock.advance(wait)
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 6_000, 6_000])
  })

  it('ranks a persistent peer that refused us as an ordinary one, until it keeps us as a neighbour for 30 s', async () => {
    const { pm, clock } = await openHarness({
      selfId: self,
      options: { maxConnected: 4, minRetryTimeMs: 100, refusedRetryTimeMs: 100, maxRetryTimePersistentMs: 1_000 },
      persistentPeers: [memoryAddress(a)]
    })
    pm.add(memoryAddress(b))
    // a persistent peer comes first
    expect(pm.peer(a)?.score).toBe(1000)
    refusedBy(pm, a)
    clock.advance(1_000)
    // refused: an ordinary peer that never refused us is dialed before it
    expect(pm.tryDialNext()?.peerId).toBe(b)
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.dialed(memoryAddress(a))
    clock.advance(30_000)
    pm.disconnected(a)
    pm.dialFailed(memoryAddress(b))
    clock.advance(10_000)
    // it kept us for 30 s: persistent again, ahead of b
    expect(pm.tryDialNext()?.peerId).toBe(a)
  })
})

describe('PeerManager › tryDialNext', () => {
  // §2 scenario 8
  it('counts dialing peers toward maxConnected', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 2 } })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()).toBeUndefined()
  })

  // §2 scenario 9
  it('lets only higher-scored peers use upgrade slots, until they run out', async () => {
    const { pm } = await openHarness({
      selfId: self,
      options: { maxConnected: 2, maxConnectedUpgrade: 1 },
      peerScores: { [a]: 0, [b]: 1, [c]: 2, [d]: 3, [e]: 0 },
      persistentPeers: []
    })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)

    // Full (a connected, b dialing): c outscores a and takes the upgrade slot.
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()?.peerId).toBe(c)
    // d outscores everyone too, but the only upgrade slot is taken.
    pm.add(memoryAddress(d))
    expect(pm.tryDialNext()).toBeUndefined()

    pm.dialed(memoryAddress(c))
    expect(pm.tryDialNext()).toBeUndefined()
    expect(() => { pm.dialed(memoryAddress(d)) }).toThrow(ConnectionLimitError)
    pm.disconnected(a)
    pm.dialed(memoryAddress(d))

    // c and d connected, b still dialing: e (score 0) outscores nobody, so it may not upgrade.
    pm.disconnected(b)
    pm.add(memoryAddress(e))
    expect(pm.tryDialNext()).toBeUndefined()
  })

  it('reserves a victim for one upgrade only', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 2 }, peerScores: { [b]: 1, [c]: 1 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b) // reserves a
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()).toBeUndefined() // a is already claimed by b
    expect(pm.stats().upgrading).toBe(1)
  })

  // §2 scenario 10
  it('never hands out a dialing, dialed or accepted peer again, even through another address', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 2 } })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.toString()).toBe(memoryAddress(a).toString())
    expect(pm.add(wsAddress(a))).toBe(true)
    expect(pm.tryDialNext()).toBeUndefined()
    pm.dialed(memoryAddress(a))
    expect(pm.tryDialNext()).toBeUndefined()
    pm.add(memoryAddress(b))
    pm.accepted(b)
    expect(pm.tryDialNext()).toBeUndefined()
  })

  // §2 scenario 11
  it('tries every address of every peer after failures, then none', async () => {
    const { pm } = await openHarness({ selfId: self })
    const addresses = [memoryAddress(a), memoryAddress(b), wsAddress(a, '127.0.0.1'), wsAddress(b, '10.1.1.1')]
    for (const address of addresses) expect(pm.add(address)).toBe(true)
    const dialed: string[] = []
    for (let i = 0; i < addresses.length; i++) {
      const address = pm.tryDialNext()
      expect(address).toBeDefined()
      if (address === undefined) break
      dialed.push(address.toString())
      pm.dialFailed(address)
    }
    expect(dialed.sort()).toEqual(addresses.map(x => x.toString()).sort())
    expect(pm.tryDialNext()).toBeUndefined()
  })

  // §2 scenario 12
  it('ignores dialFailed for an unknown peer', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.dialFailed(memoryAddress(b))
    expect(pm.peers().map(p => p.peerId)).toEqual([a])
  })

  it('clears dialing when dialFailed names another address of the peer, without recording it', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.dialFailed(wsAddress(a))
    expect(pm.peer(a)?.addresses).toEqual([memoryAddress(a).toString()])
    expect(pm.tryDialNext()?.peerId).toBe(a)
  })

  it('releases the victim of a failed upgrade', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 2 }, peerScores: { [b]: 1, [c]: 2 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)
    pm.add(memoryAddress(c))
    // c ranks above b but a is reserved by b; nobody else can be upgraded.
    expect(pm.tryDialNext()).toBeUndefined()
    pm.dialFailed(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(c)
  })
})

describe('PeerManager › dialed', () => {
  // §2 scenario 13
  it('errors when the peer is dialed twice, after it was accepted, or unknown', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.dialed(memoryAddress(a))
    expect(() => { pm.dialed(memoryAddress(a)) }).toThrow(AlreadyConnectedError)

    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)
    pm.accepted(b)
    expect(() => { pm.dialed(memoryAddress(b)) }).toThrow(AlreadyConnectedError)

    expect(() => { pm.dialed(memoryAddress(c)) }).toThrow(UnknownPeerError)
    expect(() => { pm.dialed(memoryAddress(self)) }).toThrow(SelfConnectionError)
  })

  // §2 scenario 14
  it('errors over the limit without an upgrade slot', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 1 } })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.add(memoryAddress(b))
    pm.dialed(memoryAddress(b)) // dialed without tryDialNext is fine while there is room
    expect(() => { pm.dialed(memoryAddress(a)) }).toThrow(ConnectionLimitError)
  })

  it('errors when all upgrade slots are used and nobody has been evicted yet', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 2, maxConnectedUpgrade: 1 }, peerScores: { [c]: 1, [d]: 1 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.dialed(memoryAddress(b))
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()?.peerId).toBe(c)
    pm.dialed(memoryAddress(c))
    pm.add(memoryAddress(d))
    expect(() => { pm.dialed(memoryAddress(d)) }).toThrow(ConnectionLimitError)
  })

  // §2 scenario 15
  it('queues the eviction of the lowest-ranked peer at the time an upgrade completes', async () => {
    const { pm } = await openHarness({
      selfId: self,
      options: { maxConnected: 2, maxConnectedUpgrade: 1 },
      peerScores: { [a]: 3, [b]: 2, [c]: 10, [d]: 1 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.dialed(memoryAddress(b))
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()?.peerId).toBe(c) // reserves b (score 2)

    // Meanwhile a leaves and d (score 1, lower than b) connects.
    pm.disconnected(a)
    pm.add(memoryAddress(d))
    pm.accepted(d)

    pm.dialed(memoryAddress(c))
    expect(pm.tryEvictNext()).toBe(d)
  })

  it('evicts nothing when a slot was freed while the upgrade was dialing', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 2, maxConnectedUpgrade: 1 }, peerScores: { [a]: 1, [b]: 2, [c]: 3 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.dialed(memoryAddress(b))
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()?.peerId).toBe(c)
    pm.disconnected(b)
    pm.dialed(memoryAddress(c))
    expect(pm.tryEvictNext()).toBeUndefined()
  })

  it('makes the address verified and resets its failures', async () => {
    const { pm } = await openHarness({ selfId: self, options: { minRetryTimeMs: 10 } })
    pm.add(memoryAddress(a))
    pm.dialFailed(pm.tryDialNext() ?? memoryAddress(a))
    expect(pm.peer(a)?.score).toBe(-1)
    pm.dialed(memoryAddress(a))
    expect(pm.peer(a)?.score).toBe(0)
    await pm.flush()
  })
})
