/**
 * The router's decisions on a fake clock, over a real PeerManager (no libp2p): pacing, tie-breaks,
 * admission and grace, seed-mode hang-ups, heartbeat tolerance, rewiring without cut edges.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { RouterPolicy, adjacencyOf, isCutEdge, prefersFirstConnection, InvalidMeshRouterOptionsError, createMeshRouterOptions } from '../../src/router/router-policy.js'
import type { TopologyGraph } from '../../src/vocabulary.js'
import { createPeerIds, memoryAddress, openHarness, seededRandom, START_MS, type Harness } from '../peer-manager/support.js'

const limits = { minConnected: 2, maxConnected: 3 }

function graphOf (self: string, edges: Array<[string, string]>, updatedAt: (peerId: string) => number = () => START_MS): TopologyGraph {
  const ids = new Set(edges.flat())
  return {
    self,
    nodes: [...ids].map(peerId => ({ peerId, updatedAt: updatedAt(peerId) })),
    edges: edges.map(([from, to]) => ({ from, to, transport: 'memory' as const, direction: 'outbound' as const }))
  }
}

describe('RouterPolicy', () => {
  let ids: string[]
  let self: string
  let h: Harness
  let graph: TopologyGraph | undefined
  let policy: RouterPolicy

  beforeEach(async () => {
    ids = await createPeerIds(9)
    self = ids[0] as string
    h = await openHarness({ selfId: self, options: { ...limits, maxOutgoingConnections: 3 } })
    graph = undefined
    policy = new RouterPolicy({ selfId: self, peerManager: h.pm, clock: h.clock, random: seededRandom(3), limits, topology: () => graph })
  })

  /** Connects `peerId` inbound through the policy and marks it ready. */
  function connectInbound (peerId: string): void {
    expect(policy.connectionOpened(peerId, { direction: 'inbound' })).toEqual({ kind: 'managed' })
    policy.linkReady(peerId)
  }

  it('paces dials: the next may start dialPacingMs after the last one started', () => {
    expect(policy.dialWaitMs()).toBe(0)
    policy.dialStarted(ids[1] as string)
    expect(policy.dialWaitMs()).toBe(100)
    h.clock.advance(60)
    expect(policy.dialWaitMs()).toBe(40)
    h.clock.advance(40)
    expect(policy.dialWaitMs()).toBe(0)
  })

  it('lets our own dial report an outbound connection it opened, and takes an inbound one', () => {
    const [, a, b] = ids as [string, string, string]
    policy.dialStarted(a)
    expect(policy.connectionOpened(a, { direction: 'outbound' })).toEqual({ kind: 'await-dial' })
    expect(policy.connectionOpened(b, { direction: 'inbound' })).toEqual({ kind: 'managed' })
    expect(h.pm.peer(b)?.state).toBe('connected')
  })

  it('a dial that lost the race to an inbound connection is a duplicate, and the PeerManager hears it failed', () => {
    const a = ids[1] as string
    h.pm.add(memoryAddress(a), { source: 'config' })
    const address = h.pm.tryDialNext()
    expect(address?.peerId).toBe(a)
    policy.dialStarted(a)
    expect(policy.dialSucceeded(address!, true)).toBe('duplicate')
    expect(policy.isDialing(a)).toBe(false)
  })

  it('breaks ties the same way on both ends', () => {
    const [x, y] = [ids[1] as string, ids[2] as string]
    const at = 1000
    const xOut = { direction: 'outbound' as const, limited: false, openedAt: at }
    const xIn = { direction: 'inbound' as const, limited: false, openedAt: at + 10 }
    // x's outbound is y's inbound: both must keep the same physical connection
    const xKeepsOutbound = prefersFirstConnection(xOut, xIn, x, y)
    const yKeepsItsInbound = prefersFirstConnection({ ...xOut, direction: 'inbound' }, { ...xIn, direction: 'outbound' }, y, x)
    expect(xKeepsOutbound).toBe(yKeepsItsInbound)
    // direct beats relayed whatever the age; a much newer connection replaces a stale one
    expect(prefersFirstConnection({ ...xOut, limited: true }, xIn, x, y)).toBe(false)
    expect(prefersFirstConnection(xOut, { ...xIn, openedAt: at + 60_000 }, x, y)).toBe(false)
  })

  it('holds a newcomer refused for being full in grace, then frees the slot when it is gone', () => {
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const newcomer = ids[4] as string
    expect(h.pm.canAccept(newcomer)).toBe(false)
    expect(policy.admitInbound(newcomer)).toBe(true)
    expect(policy.connectionOpened(newcomer, { direction: 'inbound' })).toEqual({ kind: 'grace', closeAfterMs: 3000 })
    expect(policy.graceCount()).toBe(1)
    // answered: hang up shortly (seed mode); nothing to wait for when its grace runs out
    expect(policy.peerExchangeAnswered(newcomer)).toBe(200)
    expect(policy.graceExpired(newcomer)).toBeUndefined()
    expect(policy.linkClosed(newcomer, { direction: 'inbound', openedAt: h.clock.now(), managed: false })).toEqual({ reportFailed: false })
    expect(policy.graceCount()).toBe(0)
    expect(policy.stats.graceAdmitted).toBe(1)
  })

  it('admits no more newcomers in grace than maxGraceConnections, and never banned ones', () => {
    policy = new RouterPolicy({ selfId: self, peerManager: h.pm, clock: h.clock, random: seededRandom(3), limits, options: { maxGraceConnections: 1 } })
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const [n1, n2, n3] = [ids[4], ids[5], ids[6]] as [string, string, string]
    expect(policy.connectionOpened(n1, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.admitInbound(n2)).toBe(false)
    expect(policy.connectionOpened(n2, { direction: 'inbound' }).kind).toBe('close')
    policy.graceEnded(n1)
    h.pm.ban(n3, 'test')
    expect(policy.admitInbound(n3)).toBe(false)
    expect(policy.admitInbound(self)).toBe(false)
  })

  it('frees a grace slot once its newcomer is answered (the hang-up drains outside it), up to two answered per slot', () => {
    policy = new RouterPolicy({ selfId: self, peerManager: h.pm, clock: h.clock, random: seededRandom(3), limits, options: { maxGraceConnections: 1 } })
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const [n1, n2, n3, n4] = [ids[4], ids[5], ids[6], ids[7]] as [string, string, string, string]
    expect(policy.connectionOpened(n1, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.admitAnyInbound()).toBe(false)
    expect(policy.peerExchangeAnswered(n1)).toBe(200)
    expect([policy.graceCount(), policy.lingeringCount()]).toEqual([0, 1])
    expect(policy.admitAnyInbound()).toBe(true)
    expect(policy.connectionOpened(n2, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.peerExchangeAnswered(n2)).toBe(200)
    // two answered newcomers still being hung up: the one slot waits for them
    expect(policy.admitAnyInbound()).toBe(false)
    expect(policy.admitInbound(n3)).toBe(false)
    expect(policy.linkClosed(n1, { direction: 'inbound', openedAt: h.clock.now(), managed: false })).toEqual({ reportFailed: false })
    expect(policy.admitInbound(n3)).toBe(true)
    expect(policy.connectionOpened(n3, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.connectionOpened(n4, { direction: 'inbound' }).kind).toBe('close')
  })

  it('does not spend a grace slot on a peer the shared topology shows settled', () => {
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const [a, b, c] = ids.slice(1, 4) as [string, string, string]
    const settled = ids[4] as string
    graph = graphOf(self, [[settled, a], [settled, b], [a, b], [b, c]])
    expect(policy.admitInbound(settled)).toBe(false)
    expect(policy.admitInbound(ids[5] as string)).toBe(true)
  })

  it('does not take a peer for settled on the word of neighbours it has not heard from lately (they left)', () => {
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const [a, b] = ids.slice(1, 3) as [string, string]
    const [gone1, gone2] = ids.slice(6, 8) as [string, string]
    const orphan = ids[4] as string
    // the orphan's old announcement still lists two neighbours that left 40 s ago
    h.clock.advance(40_000)
    graph = graphOf(self, [[orphan, gone1], [orphan, gone2], [orphan, a], [a, b]], id => id === gone1 || id === gone2 ? START_MS : h.clock.now())
    expect(policy.admitInbound(orphan)).toBe(true)
  })

  it('reads settledness off one graph object handed out again and again as it would off a new one each time, as its nodes go stale', () => {
    for (const id of ids.slice(1, 4)) connectInbound(id)
    const [a, b] = ids.slice(1, 3) as [string, string]
    const [n1, n2] = ids.slice(6, 8) as [string, string]
    const peer = ids[4] as string
    // peer has three neighbours; n1 and n2 last announced at START_MS, the others 20 s later
    h.clock.advance(20_000)
    const shared = graphOf(self, [[peer, n1], [peer, n2], [peer, a], [a, b]], id => id === n1 || id === n2 ? START_MS : h.clock.now())
    graph = shared
    const verdicts: boolean[] = []
    for (const advance of [0, 0, 5_000, 5_001, 0, 20_000]) {
      h.clock.advance(advance)
      graph = shared
      const cached = policy.admitInbound(peer)
      graph = structuredClone(shared)
      expect(policy.admitInbound(peer)).toBe(cached)
      graph = shared
      expect(policy.admitInbound(peer)).toBe(cached)
      verdicts.push(cached)
    }
    // settled (not admitted) until n1 and n2 go stale 30 s after START_MS; a keeps it below 2 after
    expect(verdicts).toEqual([false, false, false, true, true, true])
  })

  it('makes room for an unsettled newcomer: drops a redundant neighbour (never a cut edge), then promotes the newcomer', () => {
    const [a, b, c] = ids.slice(1, 4) as [string, string, string]
    const [d, e] = ids.slice(5, 7) as [string, string]
    for (const id of [a, b, c]) connectInbound(id)
    // a and b have two more neighbours each (d, e); c hangs off us alone (our edge to c is a cut edge)
    graph = graphOf(self, [[self, a], [self, b], [self, c], [a, d], [a, e], [b, d], [b, e]])
    const newcomer = ids[4] as string
    expect(policy.connectionOpened(newcomer, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.stats.rewires).toBe(1)
    const victim = h.pm.tryEvictNext()
    expect([a, b]).toContain(victim)
    // the newcomer is kept while its slot is being made, even after it got its answer
    expect(policy.peerExchangeAnswered(newcomer)).toBeUndefined()
    // its grace runs out before the neighbour is gone: it waits once more, not twice
    expect(policy.graceExpired(newcomer)).toBe(3000)
    expect(policy.graceExpired(newcomer)).toBeUndefined()
    h.pm.disconnected(victim!)
    const after = policy.linkClosed(victim!, { direction: 'inbound', openedAt: h.clock.now(), managed: true })
    expect(after.promote).toBe(newcomer)
    expect(policy.promote(newcomer)).toBe(true)
    expect(h.pm.peer(newcomer)?.state).toBe('connected')
    expect(policy.graceCount()).toBe(0)
  })

  it('never rewires when every possible drop would cut the mesh or leave a neighbour below its minimum', () => {
    const [a, b, c] = ids.slice(1, 4) as [string, string, string]
    for (const id of [a, b, c]) connectInbound(id)
    // a line through us: every edge is a cut edge
    graph = graphOf(self, [[self, a], [self, b], [self, c], [a, ids[5] as string]])
    expect(policy.connectionOpened(ids[4] as string, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.stats.rewires).toBe(0)
    expect(h.pm.tryEvictNext()).toBeUndefined()
  })

  it('rewires at most once per rewireMinIntervalMs', () => {
    const [a, b, c] = ids.slice(1, 4) as [string, string, string]
    const [d, e] = ids.slice(5, 7) as [string, string]
    for (const id of [a, b, c]) connectInbound(id)
    graph = graphOf(self, [[self, a], [self, b], [self, c], [a, d], [a, e], [b, d], [b, e], [c, d], [c, e]])
    const [first, second] = [ids[4], ids[7]] as [string, string]
    policy.connectionOpened(first, { direction: 'inbound' })
    const victim = h.pm.tryEvictNext()!
    h.pm.disconnected(victim)
    expect(policy.promote(policy.linkClosed(victim, { direction: 'inbound', openedAt: 0, managed: true }).promote!)).toBe(true)
    policy.linkReady(first)
    graph = graphOf(self, [[self, a], [self, b], [self, c], [a, d], [a, e], [b, d], [b, e], [c, d], [c, e], [first, d], [first, e]])
    // a second unsettled newcomer right after: no second drop yet
    expect(policy.connectionOpened(second, { direction: 'inbound' }).kind).toBe('grace')
    expect(policy.stats.rewires).toBe(1)
    h.clock.advance(1000)
    expect(policy.maintain()).toBeDefined()
    expect(policy.stats.rewires).toBe(2)
  })

  it('an outbound connection the remote hangs up on within its grace window counts as a failed dial', () => {
    const a = ids[1] as string
    h.pm.add(memoryAddress(a), { source: 'config' })
    const address = h.pm.tryDialNext()!
    policy.dialStarted(a)
    expect(policy.dialSucceeded(address, false)).toBe('managed')
    const openedAt = h.clock.now()
    h.clock.advance(500)
    h.pm.disconnected(a)
    expect(policy.linkClosed(a, { direction: 'outbound', openedAt, managed: true, address }).reportFailed).toBe(true)
    expect(policy.stats.refusedByRemote).toBe(1)
  })

  it('tolerates a stall shorter than heartbeatStallToleranceMs, however many pings it misses', () => {
    const a = ids[1] as string
    connectInbound(a)
    // pings every 10 s time out after 5 s: three misses fall within 30 s of the last answer
    for (let i = 0; i < 3; i++) {
      h.clock.advance(9_000)
      expect(policy.heartbeatFailed(a)).toBe('tolerated')
    }
    policy.heartbeatSucceeded(a)
    expect(policy.missedHeartbeats(a)).toBe(0)
    expect(h.pm.tryEvictNext()).toBeUndefined()
  })

  it('reports a peer dead after maxMissedHeartbeats misses and a silence of the stall tolerance', () => {
    const a = ids[1] as string
    connectInbound(a)
    h.clock.advance(15_000)
    expect(policy.heartbeatFailed(a)).toBe('tolerated')
    h.clock.advance(15_000)
    expect(policy.heartbeatFailed(a)).toBe('tolerated')
    h.clock.advance(1_000)
    expect(policy.heartbeatFailed(a)).toBe('dead')
    expect(policy.stats.deadPeers).toBe(1)
    expect(h.pm.tryEvictNext()).toBe(a)
  })

  it('heartbeat timeouts grow with the RTT; delays are jittered around the interval', () => {
    expect(policy.heartbeatTimeoutMs(undefined)).toBe(5000)
    expect(policy.heartbeatTimeoutMs(2000)).toBe(8000)
    for (let i = 0; i < 20; i++) {
      const d = policy.heartbeatDelayMs()
      expect(d).toBeGreaterThanOrEqual(9000)
      expect(d).toBeLessThan(11_000)
    }
  })

  it('lists every bad option at once', () => {
    expect(() => createMeshRouterOptions({ dialConcurrency: 0, heartbeatStallToleranceMs: -1 })).toThrow(InvalidMeshRouterOptionsError)
    expect(() => createMeshRouterOptions({ dialConcurrency: 0, heartbeatStallToleranceMs: -1 })).toThrow(/dialConcurrency.*heartbeatStallToleranceMs/)
  })
})

describe('cut edges over the shared topology', () => {
  it('finds bridges and only bridges', () => {
    const g = graphOf('s', [['s', 'a'], ['a', 'b'], ['b', 's'], ['b', 'c']])
    const adjacency = adjacencyOf(g, 's', ['a', 'b'])
    expect(isCutEdge(adjacency, 's', 'a')).toBe(false)
    expect(isCutEdge(adjacency, 'b', 'c')).toBe(true)
  })

  it('takes our own edges from the router, not from a stale graph', () => {
    const g = graphOf('s', [['s', 'a'], ['a', 'b']])
    // the graph still shows s–a, but the router says s is linked to b only
    const adjacency = adjacencyOf(g, 's', ['b'])
    expect(adjacency.get('s')).toEqual(new Set(['b']))
    expect(isCutEdge(adjacency, 's', 'b')).toBe(true)
  })
})
