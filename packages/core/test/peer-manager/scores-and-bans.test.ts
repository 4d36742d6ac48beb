import { beforeAll, describe, expect, it } from 'vitest'
import { PeerBannedError, maxPeerScore, minPeerScore, misbehaviourPoints } from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress, openHarness, seededRandom, settledState } from './support.js'

let self: string
let a: string, b: string, c: string

const HOUR_MS = 3_600_000

beforeAll(async () => {
  [self, a, b, c] = await createPeerIds(4) as [string, string, string, string]
})

describe('PeerManager › scores', () => {
  // §2 scenario 22
  it('moves the score by one per report and saturates', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.reportGood(a)
    expect(pm.peer(a)?.score).toBe(1)
    pm.reportBad(a)
    pm.reportBad(a)
    expect(pm.peer(a)?.score).toBe(-1)
    for (let i = 0; i < 2 * maxPeerScore + 10; i++) pm.reportGood(a)
    expect(pm.peer(a)?.score).toBe(maxPeerScore)
    for (let i = 0; i < 4 * maxPeerScore; i++) pm.reportBad(a)
    expect(pm.peer(a)?.score).toBe(minPeerScore)
  })

  it('ranks peers by score', async () => {
    const { pm } = await openHarness({ selfId: self })
    for (const peer of [a, b, c]) pm.add(memoryAddress(peer))
    pm.reportGood(b)
    pm.reportGood(b)
    pm.reportGood(c)
    pm.reportBad(a)
    expect(pm.peers().map(p => p.peerId)).toEqual([b, c, a])
    expect(pm.tryDialNext()?.peerId).toBe(b)
  })

  it('ranks fewer dial failures first at equal score, then breaks ties with the injected random', async () => {
    const { pm } = await openHarness({ selfId: self, options: { minRetryTimeMs: 10 }, peerScores: { [a]: 1, [b]: 1, [c]: 1 } })
    for (const peer of [a, b, c]) pm.add(memoryAddress(peer))
    pm.dialFailed(memoryAddress(a))
    expect(pm.peers().at(-1)?.peerId).toBe(a)
    // Same setup, other random seeds: b and c come in either order, a stays last.
    const orders = new Set<string>()
    for (let seed = 1; seed <= 8; seed++) {
      const { pm: other } = await openHarness({
        selfId: self, random: seededRandom(seed),
        options: { minRetryTimeMs: 10 }, peerScores: { [a]: 1, [b]: 1, [c]: 1 }
      })
      for (const peer of [a, b, c]) other.add(memoryAddress(peer))
      other.dialFailed(memoryAddress(a))
      const ranked = other.peers().map(p => p.peerId)
      expect(ranked[2]).toBe(a)
      orders.add(ranked.join(','))
    }
    expect(orders.size).toBe(2)
  })

  it('ignores reports about unknown peers', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.reportGood(a)
    pm.reportBad(a)
    expect(pm.peers()).toEqual([])
  })
})

describe('PeerManager › misbehaviour and bans', () => {
  const banOptions = { banTtlMs: 24 * HOUR_MS, misbehaviourBanThreshold: 100, misbehaviourDecayPerHour: 5 }

  it('bans a peer when its points reach the threshold, for banTtlMs', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: banOptions })
    pm.add(memoryAddress(a))
    const sub = pm.subscribe()
    for (let i = 0; i < 9; i++) pm.misbehaved(a, misbehaviourPoints.invalidMessage, 'bad message')
    expect(pm.isBanned(a)).toBe(false)
    expect(pm.peer(a)?.misbehaviour).toBe(90)
    pm.misbehaved(a, misbehaviourPoints.invalidMessage, 'bad message')
    expect(pm.isBanned(a)).toBe(true)
    expect(pm.peer(a)).toMatchObject({ state: 'banned', until: clock.now() + 24 * HOUR_MS, banReason: 'bad message' })
    expect((await sub.next()).value).toEqual({ peerId: a, status: 'banned' })
    expect(pm.stats().bansIssued).toBe(1)
  })

  it('lets points decay by misbehaviourDecayPerHour', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: banOptions })
    pm.misbehaved(a, misbehaviourPoints.unsolicited * 6, 'unsolicited responses') // 90
    clock.advance(4 * HOUR_MS) // −20
    expect(pm.peer(a)?.misbehaviour).toBeCloseTo(70)
    pm.misbehaved(a, misbehaviourPoints.timeout * 5, 'timeouts') // 95: still below 100
    expect(pm.isBanned(a)).toBe(false)
    clock.advance(19 * HOUR_MS)
    expect(pm.peer(a)?.misbehaviour).toBe(0)
  })

  it('never dials a banned peer, and a waiting dialNext wakes when the ban ends on the clock', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { banTtlMs: HOUR_MS } })
    pm.add(memoryAddress(a))
    pm.ban(a, 'spam')
    expect(pm.tryDialNext()).toBeUndefined()
    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    expect(clock.nextTimerAt()).toBe(clock.now() + HOUR_MS)
    clock.advance(HOUR_MS - 1)
    expect(await settledState(waiting)).toBe('pending')
    clock.advance(1)
    expect((await waiting).peerId).toBe(a)
    expect(pm.isBanned(a)).toBe(false)
  })

  it('arms no timer beyond what setTimeout can hold while the only deadline is a ban forever', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { banTtlMs: 0 } })
    pm.add(memoryAddress(a))
    pm.ban(a, 'forever')
    const controller = new AbortController()
    const waiting = pm.dialNext(controller.signal)
    expect(await settledState(waiting)).toBe('pending')
    // 2^31 − 1 ms: above it, real timers fire at once and dialNext() would spin.
    expect(clock.nextTimerAt()).toBe(clock.now() + 2 ** 31 - 1)
    clock.advance(2 ** 31 - 1)
    expect(await settledState(waiting)).toBe('pending')
    expect(pm.isBanned(a)).toBe(true)
    expect(clock.nextTimerAt()).toBe(clock.now() + 2 ** 31 - 1)
    controller.abort()
    await expect(waiting).rejects.toThrow()
    expect(clock.pendingTimers()).toBe(0)
  })

  it('takes an explicit ban duration, and bans forever when banTtlMs is 0', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { banTtlMs: 0 } })
    pm.ban(a, 'short', 1_000)
    pm.ban(b, 'forever')
    clock.advance(1_000)
    expect(pm.isBanned(a)).toBe(false)
    clock.advance(365 * 24 * HOUR_MS)
    expect(pm.isBanned(b)).toBe(true)
    expect(() => { pm.accepted(b) }).toThrow(PeerBannedError)
  })

  it('refuses a dialed connection to a peer banned while we were dialing it', async () => {
    const { pm } = await openHarness({ selfId: self, options: { banTtlMs: HOUR_MS } })
    pm.add(memoryAddress(a))
    expect(pm.tryDialNext()?.peerId).toBe(a)
    pm.ban(a, 'spam')
    expect(() => { pm.dialed(memoryAddress(a)) }).toThrow(expect.objectContaining({ name: 'PeerBannedError' }))
    expect(pm.peer(a)?.state).toBe('banned')
  })

  it('never bans or stores ourselves, and ignores non-positive points', async () => {
    const { pm } = await openHarness({ selfId: self, options: banOptions })
    pm.ban(self, 'no')
    pm.misbehaved(self, 1_000, 'no')
    pm.misbehaved(a, -50, 'negative')
    pm.misbehaved(a, Number.NaN, 'nan')
    expect(pm.peers()).toEqual([])
  })

  it('never dials an inactive peer', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.inactivate(a, 'wrong network')
    expect(pm.tryDialNext()).toBeUndefined()
    expect(pm.peer(a)?.state).toBe('inactive')
  })

  it('keeps the book within maxPeers when unknown peers are banned or misbehave', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxPeers: 2, maxConnected: 2, banTtlMs: HOUR_MS, misbehaviourBanThreshold: 100 } })
    pm.ban(a, 'spam')
    pm.ban(b, 'spam')
    pm.misbehaved(c, 10, 'bad message')
    expect(pm.peers()).toHaveLength(2)
  })
})
