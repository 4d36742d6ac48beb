import { beforeAll, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/logger.js'
import { persistentPeerScore } from '../../src/peer-manager/index.js'
import { createMemoryPeerStore } from '../../src/store/memory-peer-store.js'
import type { PeerRecord, PeerStore } from '../../src/store/peer-store.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'
import { START_MS, createPeerIds, memoryAddress, openHarness, wsAddress } from './support.js'

let self: string
let a: string, b: string, c: string

beforeAll(async () => {
  [self, a, b, c] = await createPeerIds(4) as [string, string, string, string]
})

function scores (rows: Array<{ peerId: string, score: number }>): Record<string, number> {
  return Object.fromEntries(rows.map(row => [row.peerId, row.score]))
}

/** A logger that keeps what it is told, to assert on warnings. */
function recordingLogger (): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { debug () {}, info () {}, warn (message) { warnings.push(message) }, error (message) { warnings.push(message) }, warnings }
}

/** The real memory store behind a gate: writes wait until the test opens it. */
function gatedStore (inner: PeerStore): PeerStore & { open: () => void, waitingWrites: () => number } {
  let release: () => void = () => {}
  let gate = new Promise<void>(resolve => { release = resolve })
  let waiting = 0
  const held = async <T>(op: () => Promise<T>): Promise<T> => {
    waiting++
    await gate
    waiting--
    return await op()
  }
  return {
    load: async (options) => await inner.load(options),
    put: async (record, options) => { await held(async () => { await inner.put(record, options) }) },
    delete: async (peerId, options) => { await held(async () => { await inner.delete(peerId, options) }) },
    close: async () => { await inner.close() },
    open: () => { release(); gate = Promise.resolve() },
    waitingWrites: () => waiting
  }
}

/** The real memory store, except that every write fails like a full disk. */
function failingStore (inner: PeerStore): PeerStore {
  return {
    load: async (options) => await inner.load(options),
    put: async () => { throw new Error('disk full') },
    delete: async () => { throw new Error('disk full') },
    close: async () => { await inner.close() }
  }
}

describe('PeerManager › persistence', () => {
  // §2 scenario 2
  it('keeps stored addresses across a reopen, with persistent and fixed scores from the new options', async () => {
    const entries = new Map<string, unknown>()
    const aAddresses = [wsAddress(a, '127.0.0.1', 26657), memoryAddress(a)]
    const bAddresses = [wsAddress(b, '10.0.0.2', 26657), memoryAddress(b)]
    const cAddresses = [wsAddress(c, '10.0.0.3', 80), memoryAddress(c)]
    const first = await openHarness({ selfId: self, entries, persistentPeers: [memoryAddress(a)], peerScores: { [b]: 1 } })
    for (const address of [...aAddresses, ...bAddresses, ...cAddresses]) first.pm.add(address)
    expect(scores(first.pm.peers())).toEqual({ [a]: persistentPeerScore, [b]: 1, [c]: 0 })
    await first.pm.close()

    const second = await openHarness({ selfId: self, entries, persistentPeers: [memoryAddress(b)], peerScores: { [c]: 1 } })
    for (const [peerId, addresses] of [[a, aAddresses], [b, bAddresses], [c, cAddresses]] as const) {
      expect(second.pm.peer(peerId)?.addresses.sort()).toEqual(addresses.map(x => x.toString()).sort())
    }
    expect(scores(second.pm.peers())).toEqual({ [a]: 0, [b]: persistentPeerScore, [c]: 1 })
  })

  // §2 scenario 3
  it('deletes our own ID from the store when it was stored as a peer', async () => {
    const entries = new Map<string, unknown>()
    const first = await openHarness({ selfId: self, entries })
    first.pm.add(memoryAddress(a))
    first.pm.add(memoryAddress(b))
    await first.pm.close()
    expect([...entries.keys()].sort()).toEqual([a, b].sort())

    const second = await openHarness({ selfId: a, entries })
    expect(second.pm.peers().map(p => p.peerId)).toEqual([b])
    await second.pm.flush()
    expect([...entries.keys()]).toEqual([b])
  })

  it('writes through score, failures, bans and misbehaviour, and restores them', async () => {
    const entries = new Map<string, unknown>()
    const clock = createFakeClock(START_MS)
    const first = await openHarness({
      selfId: self, entries, clock, options: { minRetryTimeMs: 1_000, banTtlMs: 60_000, misbehaviourDecayPerHour: 5 }
    })
    first.pm.add(memoryAddress(a))
    first.pm.add(memoryAddress(b))
    first.pm.reportGood(a)
    first.pm.reportGood(a)
    first.pm.dialFailed(memoryAddress(a))
    first.pm.ban(b, 'sent garbage')
    first.pm.misbehaved(c, 30, 'timeouts')
    await first.pm.flush()
    expect(entries.get(a)).toMatchObject({ score: 2, addresses: [{ dialFailures: 1, lastDialFailureAt: START_MS }] })
    expect(entries.get(b)).toMatchObject({ bannedUntil: START_MS + 60_000, banReason: 'sent garbage' })
    expect(entries.get(c)).toMatchObject({ misbehaviour: 30, misbehaviourAt: START_MS })

    const second = await openHarness({ selfId: self, entries, clock, options: { minRetryTimeMs: 1_000, misbehaviourDecayPerHour: 5 } })
    expect(second.pm.peer(a)).toMatchObject({ score: 1, state: 'backoff', until: START_MS + 1_000 })
    expect(second.pm.isBanned(b)).toBe(true)
    expect(second.pm.peer(b)).toMatchObject({ state: 'banned', until: START_MS + 60_000, banReason: 'sent garbage' })
    clock.advance(3_600_000)
    expect(second.pm.peer(c)?.misbehaviour).toBeCloseTo(25)
    expect(second.pm.isBanned(b)).toBe(false)
  })

  it('skips and counts records and addresses it cannot use', async () => {
    const entries = new Map<string, unknown>()
    const good: PeerRecord = {
      v: 1,
      peerId: a,
      addresses: [
        { url: memoryAddress(a).toString(), source: 'verified', dialFailures: 0, lastDialFailureAt: 0, lastConnectedAt: START_MS },
        { url: 'http://not-a-node-address', source: 'gossip', dialFailures: 0, lastDialFailureAt: 0, lastConnectedAt: 0 },
        { url: memoryAddress(b).toString(), source: 'gossip', dialFailures: 0, lastDialFailureAt: 0, lastConnectedAt: 0 }
      ],
      score: 3,
      misbehaviour: 0,
      misbehaviourAt: 0,
      bannedUntil: 0,
      inactive: false,
      lastSeenAt: START_MS
    }
    entries.set(a, good)
    entries.set(b, { v: 99, peerId: b })
    entries.set(c, 'garbage')
    const { pm } = await openHarness({ selfId: self, entries })
    expect(pm.peers().map(p => p.peerId)).toEqual([a])
    expect(pm.peer(a)?.addresses).toEqual([memoryAddress(a).toString()])
    expect(pm.stats()).toMatchObject({ recordsSkipped: 2, addressesSkipped: 2 })
  })

  it('never blocks on a slow store: calls return at once and flush waits for the writes', async () => {
    const store = gatedStore(createMemoryPeerStore())
    const { pm } = await openHarness({ selfId: self, store })
    expect(pm.add(memoryAddress(a))).toBe(true)
    for (let i = 0; i < 10; i++) pm.reportGood(a)
    expect(pm.tryDialNext()?.peerId).toBe(a)
    let flushed = false
    const flush = pm.flush().then(() => { flushed = true })
    await Promise.resolve()
    expect(flushed).toBe(false)
    expect(store.waitingWrites()).toBe(1)
    store.open()
    await flush
    const { records } = await store.load()
    expect(records).toMatchObject([{ peerId: a, score: 10 }])
  })

  it('logs and counts a failing store, and never throws into the caller', async () => {
    const logger = recordingLogger()
    const { pm } = await openHarness({ selfId: self, store: failingStore(createMemoryPeerStore()), logger })
    expect(pm.add(memoryAddress(a))).toBe(true)
    pm.reportBad(a)
    await pm.flush()
    pm.ban(a, 'x')
    await pm.flush()
    expect(pm.stats().storeErrors).toBe(2)
    expect(logger.warnings).toEqual(['peer store write failed', 'peer store write failed'])
    expect(pm.peer(a)?.score).toBe(-1)
  })

  it('writes a refreshed last-seen time when a peer is advertised to us again after a while', async () => {
    const { pm, clock, entries } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    await pm.flush()
    clock.advance(2 * 3_600_000)
    expect(pm.add(memoryAddress(a))).toBe(false)
    await pm.flush()
    expect(entries.get(a)).toMatchObject({ lastSeenAt: START_MS + 2 * 3_600_000 })
  })
})
