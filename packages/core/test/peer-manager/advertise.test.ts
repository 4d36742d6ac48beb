import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { NodeAddress } from '../../src/address/index.js'
import type { PeerManager } from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress, openHarness, seededRandom, wsAddress } from './support.js'

let self: string
let ids: string[]
let a: string, b: string, c: string, requester: string

const HOUR_MS = 3_600_000

beforeAll(async () => {
  ids = await createPeerIds(28)
  ;[self, a, b, c, requester] = ids as [string, string, string, string, string]
})

describe('PeerManager › advertise', () => {
  // §2 scenario 21
  it('excludes the requester, honours the limit (0 gives nothing) and puts our own addresses first', async () => {
    const { pm } = await openHarness({ selfId: self, selfAddresses: [wsAddress(self, '10.9.9.9')] })
    pm.add(memoryAddress(a))
    pm.add(wsAddress(a, '10.0.0.1'))
    pm.add(memoryAddress(b))
    pm.add(memoryAddress(c))

    expect(pm.advertise(a, 0)).toEqual([])
    const forA = pm.advertise(a, 10).map(x => x.toString())
    expect(forA[0]).toBe(wsAddress(self, '10.9.9.9').toString())
    expect(forA.slice(1).sort()).toEqual([memoryAddress(b).toString(), memoryAddress(c).toString()].sort())
    expect(pm.advertise(b, 2)).toHaveLength(2)
    expect(pm.advertise(b, 2)[0]?.peerId).toBe(self)
    expect(pm.advertise(b, 1).map(x => x.peerId)).toEqual([self])
  })

  it('replaces our own addresses on setSelfAddresses, ignoring other peers\' addresses', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    expect(pm.advertise(b, 5).map(x => x.peerId)).toEqual([a])
    pm.setSelfAddresses([memoryAddress(self, 'one'), memoryAddress(c, 'not-ours')])
    expect(pm.advertise(b, 5).map(x => x.toString())).toEqual([memoryAddress(self, 'one').toString(), memoryAddress(a).toString()])
  })

  it('skips peers not seen for advertiseMaxAgeMs, but not connected ones', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { advertiseMaxAgeMs: 3 * HOUR_MS } })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.accepted(b)
    clock.advance(3 * HOUR_MS + 1)
    pm.add(memoryAddress(c))
    expect(pm.advertise(requester, 10).map(x => x.peerId).sort()).toEqual([b, c].sort())
    // Hearing of a again makes it fresh.
    pm.add(memoryAddress(a))
    expect(pm.advertise(requester, 10)).toHaveLength(3)
  })

  it('never advertises banned or inactive peers', async () => {
    const { pm } = await openHarness({ selfId: self, options: { banTtlMs: HOUR_MS } })
    for (const peer of [a, b, c]) pm.add(memoryAddress(peer))
    pm.ban(a, 'spam')
    pm.inactivate(b, 'incompatible')
    expect(pm.advertise(requester, 10).map(x => x.peerId)).toEqual([c])
  })

  it('favours well-ranked peers but mixes in lower-ranked ones', async () => {
    const { pm } = await openHarness({ selfId: self })
    const peers = ids.slice(5, 28) // 23 peers, best first
    peers.forEach((peer, i) => {
      pm.add(memoryAddress(peer))
      for (let s = 0; s < peers.length - i; s++) pm.reportGood(peer)
    })
    const counts = new Map<string, number>()
    for (let round = 0; round < 200; round++) {
      const answer = pm.advertise(a, 4)
      expect(answer).toHaveLength(4)
      expect(new Set(answer.map(x => x.peerId)).size).toBe(4)
      for (const x of answer) counts.set(x.peerId, (counts.get(x.peerId) ?? 0) + 1)
    }
    const top8 = peers.slice(0, 8).reduce((sum, peer) => sum + (counts.get(peer) ?? 0), 0)
    const rest = peers.slice(8).reduce((sum, peer) => sum + (counts.get(peer) ?? 0), 0)
    expect(top8).toBeGreaterThan(rest)
    expect(rest).toBeGreaterThan(0)
  })

  it('never hands out an address a peer dropped to make room at the store\'s limit of 64', async () => {
    const { pm } = await openHarness({ selfId: self })
    for (const peer of ids.slice(5, 28)) pm.add(memoryAddress(peer))
    for (let k = 0; k < 64; k++) pm.add(memoryAddress(a, `n${k}`))
    // A config address, then a dial over a new address, each drop a's worst gossip address.
    pm.add(memoryAddress(a, 'configured'), { source: 'config' })
    pm.dialed(memoryAddress(a, 'dialed'))
    const stored = new Set(ids.slice(5, 28).flatMap(peer => pm.peer(peer)?.addresses ?? []))
    for (const url of pm.peer(a)?.addresses ?? []) stored.add(url)
    expect(stored.size).toBe(23 + 64)
    const dropped = [memoryAddress(a, 'n0').toString(), memoryAddress(a, 'n1').toString()]
    for (const url of dropped) expect(stored.has(url)).toBe(false)
    const seen = new Set<string>()
    for (let round = 0; round < 500; round++) {
      // 8 wanted: 6 from the top 16, 2 uniform draws over all 87 stored addresses.
      const answer = pm.advertise(requester, 8).map(x => x.toString())
      expect(answer).toHaveLength(8)
      for (const url of answer) {
        expect(stored.has(url), url).toBe(true)
        seen.add(url)
      }
    }
    // The draws reached the whole book (the premise: a stale entry would have been drawn).
    expect(seen.size).toBeGreaterThan(80)
    await pm.close()
  })
})

describe('PeerManager › advertise sampling (properties)', () => {
  type Kind = 'fresh' | 'stale' | 'connected' | 'banned' | 'inactive'
  let pool: string[]

  beforeAll(async () => {
    pool = await createPeerIds(400)
  })

  /** A book of `kinds.length` peers (pool[1 …]), each with its kind, `addresses` addresses and score. */
  async function bookOf (peers: Array<{ kind: Kind, addresses: number, good: number }>, selfCount: number, seed: number,
    random = seededRandom(seed)): Promise<PeerManager> {
    const me = pool[0] as string
    const { pm, clock } = await openHarness({ selfId: me, random, options: { advertiseMaxAgeMs: 3 * HOUR_MS, banTtlMs: HOUR_MS } })
    const addressesOf = (i: number, count: number): NodeAddress[] =>
      Array.from({ length: count }, (_, k) => memoryAddress(pool[i + 1] as string, `n${k}`))
    peers.forEach((p, i) => {
      for (const address of addressesOf(i, p.addresses)) pm.add(address)
      for (let g = 0; g < p.good; g++) pm.reportGood(pool[i + 1] as string)
      if (p.kind === 'connected') pm.accepted(pool[i + 1] as string)
    })
    clock.advance(3 * HOUR_MS + 1)
    peers.forEach((p, i) => {
      if (p.kind !== 'stale' && p.kind !== 'connected') for (const address of addressesOf(i, p.addresses)) pm.add(address)
      if (p.kind === 'banned') pm.ban(pool[i + 1] as string, 'test')
      if (p.kind === 'inactive') pm.inactivate(pool[i + 1] as string, 'test')
    })
    pm.setSelfAddresses(Array.from({ length: selfCount }, (_, k) => memoryAddress(me, `self${k}`)))
    return pm
  }

  function checkAnswer (answer: NodeAddress[], limit: number, selfCount: number, requester: string, eligible: Set<string>): void {
    const me = pool[0] as string
    const urls = answer.map(x => x.toString())
    expect(answer.length).toBeLessThanOrEqual(Math.max(0, limit))
    expect(answer.length).toBe(Math.min(Math.max(0, limit), selfCount + eligible.size))
    expect(new Set(urls).size).toBe(urls.length)
    const selfShown = Math.min(selfCount, Math.max(0, limit))
    expect(answer.slice(0, selfShown).every(x => x.peerId === me)).toBe(true)
    for (const x of answer.slice(selfShown)) {
      expect(x.peerId).not.toBe(requester)
      expect(eligible.has(x.toString())).toBe(true)
    }
  }

  it('never the requester, never a banned, inactive or stale peer, at most limit, ours first, no duplicates', async () => {
    const peer = fc.record({
      kind: fc.constantFrom<Kind>('fresh', 'fresh', 'stale', 'connected', 'banned', 'inactive'),
      addresses: fc.integer({ min: 1, max: 3 }),
      good: fc.integer({ min: 0, max: 4 })
    })
    await fc.assert(fc.asyncProperty(
      fc.array(peer, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -1, max: 59 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), fc.integer(),
      async (peers, selfCount, requesterIndex, limits, seed) => {
        const pm = await bookOf(peers, selfCount, seed)
        const requester = requesterIndex >= 0 && requesterIndex < peers.length ? pool[requesterIndex + 1] as string : 'unknown-peer'
        const eligible = new Set<string>()
        peers.forEach((p, i) => {
          const id = pool[i + 1] as string
          if ((p.kind === 'fresh' || p.kind === 'connected') && id !== requester) {
            for (let k = 0; k < p.addresses; k++) eligible.add(memoryAddress(id, `n${k}`).toString())
          }
        })
        for (const limit of limits) checkAnswer(pm.advertise(requester, limit), limit, selfCount, requester, eligible)
        await pm.close()
      }), { numRuns: 60 })
  })

  it('stays right when most stored peers are stale (the draws miss and it lists the rest)', async () => {
    // 368 stale peers and 31 fresh: a uniform draw finds an eligible address < 8% of the time, so
    // the draw budget can run out (for limit 11 or 16) and the answer's rest comes from the
    // listed remainder. The random numbers an answer used tell: without the fallback it takes
    // at most one per top pick plus the draw budget (4 × need + 32); the fallback takes more.
    const peers = Array.from({ length: 399 }, (_, i) => ({ kind: (i % 13 === 0 ? 'fresh' : 'stale') as Kind, addresses: 1, good: 0 }))
    const seeded = seededRandom(7)
    let used = 0
    const pm = await bookOf(peers, 1, 7, () => { used++; return seeded() })
    const eligible = new Set(peers.flatMap((p, i) => p.kind === 'fresh' ? [memoryAddress(pool[i + 1] as string, 'n0').toString()] : []))
    expect(eligible.size).toBe(31)
    let fellBack = 0
    for (let round = 0; round < 4; round++) {
      for (const limit of [1, 5, 11, 16, 40]) {
        const before = used
        checkAnswer(pm.advertise('unknown-peer', limit), limit, 1, 'unknown-peer', eligible)
        const wanted = limit - 1
        const fromTop = Math.ceil(wanted * 0.75)
        if (used - before > fromTop + 4 * (wanted - fromTop) + 32) fellBack++
      }
    }
    // The premise: some answers really came from the listed remainder.
    expect(fellBack).toBeGreaterThan(0)
    await pm.close()
  })

  it('over many seeded draws, top-ranked peers fill ~75% of the slots and every low-ranked peer appears', async () => {
    const peers = Array.from({ length: 399 }, () => ({ kind: 'fresh' as Kind, addresses: 1, good: 0 }))
    const pm = await bookOf(peers, 0, 11)
    const ranking = pm.peers().map(p => p.peerId)
    expect(ranking).toHaveLength(399)
    const requester = 'unknown-peer'
    const limit = 20 // top pool: the best 40; 15 picks from it, 5 from the other 359 + the top's unpicked 25
    const rounds = 3_000
    const seen = new Map<string, number>()
    for (let round = 0; round < rounds; round++) {
      const answer = pm.advertise(requester, limit)
      expect(answer).toHaveLength(limit)
      for (const x of answer) seen.set(x.peerId, (seen.get(x.peerId) ?? 0) + 1)
    }
    const inTop = ranking.slice(0, 40).reduce((sum, id) => sum + (seen.get(id) ?? 0), 0)
    // Expected share from the top 40: (15 + 5 × 25/384) / 20 ≈ 0.766.
    const topShare = inTop / (rounds * limit)
    expect(topShare).toBeGreaterThan(0.75)
    expect(topShare).toBeLessThan(0.78)
    // Each peer below the top pool: 5/384 per answer, ≈ 39 times in 3,000 answers.
    const low = ranking.slice(40).map(id => seen.get(id) ?? 0)
    expect(Math.min(...low)).toBeGreaterThan(10)
    const lowMean = low.reduce((s, c) => s + c, 0) / low.length
    expect(lowMean).toBeGreaterThan(rounds * 5 / 384 * 0.9)
    expect(lowMean).toBeLessThan(rounds * 5 / 384 * 1.1)
    // Each top peer: 15/40 + (25/40)(5/384) ≈ 0.383 per answer, far above any low one.
    const top = ranking.slice(0, 40).map(id => seen.get(id) ?? 0)
    expect(Math.min(...top)).toBeGreaterThan(Math.max(...low))
    await pm.close()
  })
})
