/**
 * Differential test (issue 10): the indexed PeerManager and the reference model (today's
 * on-demand ranking, test/peer-manager/reference/) run the same long random operation
 * sequences with the same seed, each on its own fake clock and real memory store, and must make
 * the same decisions at every step: what tryDialNext / tryEvictNext / advertise / canAccept /
 * wantsMorePeers answer, which errors are thrown, the whole of stats() and peers() (order and
 * content), and the moment a waiting dialNext() would wake. The sequences mix in time passing
 * (short and long), bans, misbehaviour, inactivation, score reports, disconnects, inbound
 * peers, prune pressure from a small maxPeers, expiry, and reopening both from their stores.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { NodeAddress } from '../../src/address/index.js'
import {
  defaultPeerManagerOptions, openPeerManager, type PeerManager, type PeerManagerInit, type PeerManagerOptions
} from '../../src/peer-manager/index.js'
import { createMemoryPeerStore } from '../../src/store/memory-peer-store.js'
import { createFakeClock, type FakeClock } from '../../src/testing/fake-clock.js'
import { openReferencePeerManager } from './reference/reference-peer-manager.js'
import { START_MS, createPeerIds, memoryAddress, relayedAddress, seededRandom, wsAddress, zeroOptions } from './support.js'

const PEERS = 24
let self: string
let peers: string[]

beforeAll(async () => {
  const ids = await createPeerIds(PEERS + 1)
  self = ids[0] ?? ''
  peers = ids.slice(1)
})

type Op =
  | { kind: 'add', peer: number, form: number, source: 'gossip' | 'config' | 'verified' }
  | { kind: 'tryDialNext' | 'tryEvictNext' | 'evictAndClose' | 'wantsMorePeers' | 'reopen' }
  | { kind: 'dialed' | 'dialFailed', pick: number }
  | { kind: 'accepted' | 'canAccept' | 'disconnected' | 'errored' | 'reportGood' | 'reportBad' | 'inactivate' | 'ready' | 'isBanned', peer: number }
  | { kind: 'ban', peer: number, ttlMs: number | undefined }
  | { kind: 'misbehaved', peer: number, points: number }
  | { kind: 'advertise', peer: number, limit: number }
  | { kind: 'advance', ms: number }

const peerIndex = fc.integer({ min: 0, max: PEERS - 1 })
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ kind: fc.constant('add' as const), peer: peerIndex, form: fc.integer({ min: 0, max: 7 }), source: fc.constantFrom('gossip' as const, 'gossip' as const, 'config' as const, 'verified' as const) }) },
  { weight: 60, arbitrary: fc.constant({ kind: 'tryDialNext' as const }) },
  { weight: 50, arbitrary: fc.record({ kind: fc.constantFrom('dialed' as const, 'dialFailed' as const, 'dialFailed' as const), pick: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('accepted' as const, 'canAccept' as const, 'disconnected' as const, 'disconnected' as const, 'errored' as const,
        'reportGood' as const, 'reportBad' as const, 'reportBad' as const, 'inactivate' as const, 'ready' as const, 'isBanned' as const),
      peer: peerIndex
    })
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ban' as const), peer: peerIndex, ttlMs: fc.constantFrom(undefined, undefined, 500, 500, 3_000, 3_000, 60_000, 0) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('misbehaved' as const), peer: peerIndex, points: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 20, arbitrary: fc.constantFrom({ kind: 'tryEvictNext' as const }, { kind: 'evictAndClose' as const }, { kind: 'wantsMorePeers' as const }) },
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('advertise' as const), peer: peerIndex, limit: fc.constantFrom(0, 1, 3, 5, 30) }) },
  { weight: 40, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 5_000 }), fc.constantFrom(40_000, 3_600_000)) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) }
)

interface Setup {
  name: string
  options: Partial<PeerManagerOptions>
  persistent?: number[]
  scores?: Record<number, number>
  /** Random numbers from {0, ¼, ½, ¾}: tie-breaks collide, so book order must settle ties. */
  coarseRandom?: boolean
  /** What the runs must have exercised (counters of stats(), summed over all steps' increments). */
  exercised: Array<keyof Coverage>
}

interface Coverage {
  dialsStarted: number
  dialsSucceeded: number
  dialsFailed: number
  accepted: number
  evictionsStarted: number
  bansIssued: number
  peersPruned: number
  peersExpired: number
  upgrades: number
  finiteWakeUps: number
  reopens: number
}

const setups: Setup[] = [
  {
    name: 'small limits, prune pressure, retries with jitter, cooldown, expiry',
    options: {
      maxConnected: 5, maxConnectedUpgrade: 2, maxOutgoingConnections: 5, minConnected: 2, maxPeers: 10,
      minRetryTimeMs: 100, maxRetryTimeMs: 2_000, maxRetryTimePersistentMs: 500, retryTimeJitterMs: 50, disconnectCooldownMs: 300,
      banTtlMs: 5_000, misbehaviourBanThreshold: 100, misbehaviourDecayPerHour: 5, maxAddressesPerPeer: 3,
      maxAddressesPerGroup: 6, maxAddressesPerRelay: 8, advertiseMaxAgeMs: 20_000, expireAfterMs: 30_000
    },
    persistent: [0],
    exercised: ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'peersPruned', 'peersExpired', 'finiteWakeUps', 'reopens']
  },
  {
    name: 'upgrade slots with fixed scores and two persistent peers',
    options: { maxConnected: 3, maxConnectedUpgrade: 2, maxPeers: 7, minRetryTimeMs: 50, banTtlMs: 1_000, disconnectCooldownMs: 100 },
    persistent: [1, 2],
    scores: { 3: 5, 4: 5, 5: -3, 6: 50 },
    exercised: ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'peersPruned', 'upgrades', 'finiteWakeUps', 'reopens']
  },
  {
    name: 'colliding tie-breaks (book order settles ties)',
    options: { maxConnected: 3, maxConnectedUpgrade: 1, maxPeers: 8, minRetryTimeMs: 100, retryTimeJitterMs: 40, banTtlMs: 2_000, disconnectCooldownMs: 200 },
    coarseRandom: true,
    exercised: ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'peersPruned', 'upgrades', 'finiteWakeUps', 'reopens']
  },
  { name: 'everything unlimited, no retries (CometBFT zero options)', options: {}, exercised: ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'reopens'] },
  {
    name: 'the default options, a small book',
    options: { ...defaultPeerManagerOptions, maxPeers: 12, maxConnected: 5, maxConnectedUpgrade: 2, maxOutgoingConnections: 3, minConnected: 2, allowPrivateAddresses: false },
    exercised: ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'peersPruned', 'finiteWakeUps', 'reopens']
  }
]

function addressOf (peer: string, form: number): NodeAddress {
  switch (form) {
    case 0: return memoryAddress(peer)
    case 1: return wsAddress(peer, '10.0.0.1')
    case 2: return wsAddress(peer, '10.0.1.7')
    case 3: return wsAddress(peer, '198.51.100.4')
    case 4: return wsAddress(peer, '203.0.113.9', 443)
    case 5: return wsAddress(peer, `198.18.${peer.charCodeAt(20) % 4}.3`)
    case 6: return relayedAddress(peer, peers[0] === peer ? (peers[1] ?? '') : (peers[0] ?? ''), '203.0.113.50')
    default: return relayedAddress(peer, peers[2] === peer ? (peers[3] ?? '') : (peers[2] ?? ''), '198.51.100.60')
  }
}

function coarse (random: () => number): () => number {
  return () => Math.floor(random() * 4) / 4
}

interface Side {
  pm: PeerManager
  clock: FakeClock
  entries: Map<string, unknown>
}

type Open = (init: PeerManagerInit) => Promise<PeerManager>

async function openSide (open: Open, setup: Setup, seed: number, clock: FakeClock, entries: Map<string, unknown>): Promise<Side> {
  const pm = await open({
    selfId: self,
    store: createMemoryPeerStore({ entries }),
    clock,
    random: setup.coarseRandom === true ? coarse(seededRandom(seed)) : seededRandom(seed),
    options: { ...zeroOptions, ...setup.options },
    persistentPeers: (setup.persistent ?? []).map(i => memoryAddress(peers[i] ?? '')),
    peerScores: Object.fromEntries(Object.entries(setup.scores ?? {}).map(([i, score]) => [peers[Number(i)] ?? '', score])),
    selfAddresses: [wsAddress(self, '198.51.100.1')]
  })
  return { pm, clock, entries }
}

/** What one step answered: its value, or the error it threw (by class and message). */
function outcome (run: () => unknown): unknown {
  try {
    const value = run()
    if (Array.isArray(value)) return value.map(v => String(v))
    return value === undefined ? { undefined: true } : typeof value === 'object' ? String(value) : value
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message }
  }
}

/** The moment a dialNext() started now would wake up on its own (undefined: never). */
function dialWakeAt (side: Side): number | undefined {
  const controller = new AbortController()
  const waiting = side.pm.dialNext(controller.signal)
  waiting.catch(() => {})
  const at = side.clock.nextTimerAt()
  controller.abort()
  return at
}

function step (side: Side, s: Op, handedOut: NodeAddress[]): unknown {
  const pm = side.pm
  const peer = 'peer' in s ? (peers[s.peer] ?? '') : ''
  switch (s.kind) {
    case 'add': return outcome(() => pm.add(addressOf(peer, s.form), { source: s.source }))
    case 'tryDialNext': {
      const address = pm.tryDialNext()
      if (address !== undefined) {
        handedOut.push(address)
        return address.toString()
      }
      return { none: true, wakeAt: dialWakeAt(side) }
    }
    case 'dialed':
    case 'dialFailed': {
      const address = handedOut.splice(s.pick % Math.max(1, handedOut.length), 1)[0]
      return address === undefined ? 'nothing handed out' : outcome(() => { pm[s.kind](address) })
    }
    case 'tryEvictNext': return outcome(() => pm.tryEvictNext())
    case 'evictAndClose': {
      const victim = pm.tryEvictNext()
      if (victim !== undefined) pm.disconnected(victim)
      return victim ?? 'none'
    }
    case 'wantsMorePeers': return pm.wantsMorePeers()
    case 'canAccept': return pm.canAccept(peer)
    case 'isBanned': return pm.isBanned(peer)
    case 'accepted': return outcome(() => { pm.accepted(peer) })
    case 'disconnected': return outcome(() => { pm.disconnected(peer) })
    case 'errored': return outcome(() => { pm.errored(peer, 'test') })
    case 'reportGood': return outcome(() => { pm.reportGood(peer) })
    case 'reportBad': return outcome(() => { pm.reportBad(peer) })
    case 'inactivate': return outcome(() => { pm.inactivate(peer, 'test') })
    case 'ready': return outcome(() => { pm.ready(peer, ['/test/1']) })
    case 'ban': return outcome(() => { pm.ban(peer, 'test', s.ttlMs) })
    case 'misbehaved': return outcome(() => { pm.misbehaved(peer, s.points, 'test') })
    case 'advertise': return pm.advertise(peer, s.limit).map(a => a.toString())
    case 'advance': side.clock.advance(s.ms); return s.ms
    case 'reopen': return 'reopen'
  }
}

/**
 * stats() without the store-writer gauges: when the background writer gets to run depends on
 * the test's own awaits, not on the manager (the stores' contents are compared instead).
 */
function decisionStats (pm: PeerManager): Omit<ReturnType<PeerManager['stats']>, 'storeWrites' | 'storeWritesPending'> {
  const { storeWrites: _writes, storeWritesPending: _pending, ...rest } = pm.stats()
  return rest
}


const COUNTERS = ['dialsStarted', 'dialsSucceeded', 'dialsFailed', 'accepted', 'evictionsStarted', 'bansIssued', 'peersPruned', 'peersExpired'] as const

async function runBoth (setup: Setup, ops: Op[], seed: number, coverage: Coverage): Promise<void> {
  let indexed = await openSide(openPeerManager, setup, seed, createFakeClock(START_MS), new Map())
  let reference = await openSide(openReferencePeerManager, setup, seed, createFakeClock(START_MS), new Map())
  // Let both write what opening changed now, so that their writers run at the same points.
  await indexed.pm.flush()
  await reference.pm.flush()
  const handedIndexed: NodeAddress[] = []
  const handedReference: NodeAddress[] = []
  let before = reference.pm.stats()
  for (const [i, s] of ops.entries()) {
    if (s.kind === 'reopen') {
      coverage.reopens++
      // Both write everything through, then both restart from what they stored.
      await indexed.pm.close()
      await reference.pm.close()
      expect(indexed.entries, `stores before the reopen at step ${i}`).toEqual(reference.entries)
      expect([...indexed.entries.keys()], `store order before the reopen at step ${i}`).toEqual([...reference.entries.keys()])
      indexed = await openSide(openPeerManager, setup, seed + i, indexed.clock, indexed.entries)
      reference = await openSide(openReferencePeerManager, setup, seed + i, reference.clock, reference.entries)
      await indexed.pm.flush()
      await reference.pm.flush()
      handedIndexed.length = handedReference.length = 0
      before = reference.pm.stats()
    }
    const got = step(indexed, s, handedIndexed)
    const want = step(reference, s, handedReference)
    expect(got, `step ${i}: ${JSON.stringify(s)}`).toEqual(want)
    expect(indexed.pm.peers(), `peers() after step ${i}: ${JSON.stringify(s)}`).toEqual(reference.pm.peers())
    expect(decisionStats(indexed.pm), `stats() after step ${i}: ${JSON.stringify(s)}`).toEqual(decisionStats(reference.pm))
    const after = reference.pm.stats()
    for (const counter of COUNTERS) coverage[counter] += after[counter] - before[counter]
    if (after.upgrading > before.upgrading) coverage.upgrades++
    if (typeof want === 'object' && want !== null && 'wakeAt' in want && want.wakeAt !== undefined) coverage.finiteWakeUps++
    before = after
  }
  await indexed.pm.close()
  await reference.pm.close()
  expect(indexed.entries).toEqual(reference.entries)
}

/** fast-check's seed for the differential runs (fixed, so that the coverage premise is met every time). */
const DIFFERENTIAL_SEED = Number(globalThis.process?.env?.PEERMESH_DIFFERENTIAL_SEED ?? 20261201)

describe('PeerManager › indexed decisions equal the reference ranking', () => {
  it.each(setups.map(setup => [setup.name, setup] as const))('over long random sequences: %s', async (_name, setup) => {
    const coverage: Coverage = {
      dialsStarted: 0, dialsSucceeded: 0, dialsFailed: 0, accepted: 0, evictionsStarted: 0, bansIssued: 0,
      peersPruned: 0, peersExpired: 0, upgrades: 0, finiteWakeUps: 0, reopens: 0
    }
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 2_000, maxLength: 3_000 }), fc.integer(), async (ops, seed) => {
      await runBoth(setup, ops, seed, coverage)
    }), { numRuns: 6, endOnFailure: true, seed: DIFFERENTIAL_SEED })
    // The premise: the runs really went through these decisions, not a sequence of no-ops. With a
    // random seed the six runs now and then took no finite wake-up ("the default options, a small
    // book" once in a fresh-clone run), so the premise is checked on a fixed seed: the same runs
    // in every project; PEERMESH_DIFFERENTIAL_SEED explores others.
    for (const key of setup.exercised) expect(coverage[key], `${key} over all runs`).toBeGreaterThan(0)
  }, 240_000)
})
