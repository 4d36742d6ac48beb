/**
 * The router's decisions, without I/O (sans-I/O, like the PeerManager): the libp2p router
 * (`router.ts`) and the mesh simulator both drive this one module, so they run the same rules.
 * It takes an injected clock and random source and the PeerManager (itself I/O-free); it never
 * touches a connection, a stream or a timer. The driver feeds it events and carries out what it
 * returns.
 *
 * Inputs (events, called by the driver) → outputs (return values the driver acts on):
 * - Dialing: `dialWaitMs()` → ms to wait before the next dial may start (pacing);
 *   `dialStarted(peerId)`, `dialFinished(peerId)`; `isDialing(peerId)`; `dialConcurrency`.
 *   `dialSucceeded(address, alreadyManaged)` → {@link DialOutcome}: `managed` (keep it),
 *   `duplicate` (another connection won: reconcile) or `refused` (close it; the PeerManager
 *   said no). The PeerManager is told (`dialed` / `dialFailed`) by the policy.
 * - Admission: `admitAnyInbound()` → boolean, before the handshake (false when full with every
 *   grace slot taken); `admitInbound(peerId)` → boolean, once the peer is known: true when the
 *   PeerManager can take the peer, or when it cannot only because we are full and a grace slot is
 *   free (seed mode, below). Banned, inactive and self are always refused.
 * - `connectionOpened(peerId, { direction, dialing })` for a peer's first connection →
 *   {@link OpenOutcome}: `await-dial` (our dial loop reports it), `managed` (accepted),
 *   `grace` (full: keep it unmanaged `closeAfterMs`, so the newcomer can ask us for peers, then
 *   close it) or `close`. `peerExchangeAnswered(peerId)` → ms after which to hang up on a
 *   peer in grace that we just answered (seed mode), or undefined; `graceExpired(peerId)` → ms
 *   to wait longer (a slot is being made for it) or undefined (hang up); `graceEnded(peerId)`.
 * - `prefersFirstConnection(a, b, selfId, remoteId)` over {@link ConnectionFacts}: which of two
 *   connections to one peer both sides keep (direct beats relayed; simultaneous dials break ties
 *   by peer ID).
 * - `linkClosed(peerId, { direction, openedAt, managed, address })` → whether the driver should
 *   report the address as failed (an outbound connection the remote hung up on within the grace
 *   window: it refused us, so its retry delay grows instead of being redialled every cooldown).
 * - Heartbeats: `heartbeatDelayMs()` (interval with ±10 % jitter), `heartbeatTimeoutMs(rttMs)`,
 *   `heartbeatSucceeded(peerId, rttMs)`, `heartbeatFailed(peerId)` → `'tolerated' | 'dead'`.
 *   A peer is dead only after `maxMissedHeartbeats` misses in a row **and** no answer for
 *   `heartbeatStallToleranceMs` (default 30 s): a link that stalls for less survives. On `dead`
 *   the policy has already reported the peer `errored` to the PeerManager (the driver's eviction
 *   loop closes it).
 * - Maintenance: `maintain(neighbours)` (the driver calls it every `maintenanceIntervalMs`,
 *   jittered) → a peer ID to drop, or undefined; see "Growing from one bootstrap" below.
 *
 * Growing from one bootstrap (docs/ARCHITECTURE.md, "Mesh maintenance"): a full node still
 * admits a few newcomers (`maxGraceConnections`) for `refusedConnectionGraceMs`, long enough to
 * ask it for peers (it answers with peers that have free slots first), then hangs up. A refusal
 * of a peer that the shared topology does not show as settled (degree ≥ minConnected) is
 * remembered for `rewireTriggerMs`; while such refusals are fresh, a full node's maintenance
 * drops one redundant neighbour per round: one whose degree stays ≥ minConnected without us and
 * whose edge to us is not a cut edge of the shared topology (both ends stay connected), picking
 * the best-connected such neighbour. The freed slot takes a newcomer, so a clique of full nodes
 * opens up instead of freezing, and the mesh never splits for it.
 */
import type { NodeAddress } from '../address/index.js'
import type { Clock, Random } from '../clock.js'
import { ConnectionLimitError, type PeerManager } from '../peer-manager/index.js'
import type { TopologyGraph } from '../vocabulary.js'

export interface MeshRouterOptions {
  /** Dials in flight at once. On 2 cores many simultaneous WebRTC dials time out. @default 4 */
  dialConcurrency: number
  /** Minimum time between the starts of two dials (Zebra paces at 100 ms). @default 100 */
  dialPacingMs: number
  /** A dial that has not produced a connection by then fails. @default 15000 */
  dialTimeoutMs: number
  /** Time between two heartbeats (pings) to a connected peer. @default 10000 */
  heartbeatIntervalMs: number
  /** Lower bound of a heartbeat's timeout; the timeout grows to 4× the link's RTT. @default 5000 */
  heartbeatTimeoutMs: number
  /** Heartbeats missed in a row before the peer may be reported dead. @default 3 */
  maxMissedHeartbeats: number
  /**
   * A peer is reported dead only when it has also not answered a heartbeat for this long (since
   * its last answer, or since the link was ready): a link that stalls for less survives. It is the
   * node's only heartbeat (libp2p's connection monitor is off). @default 30000
   */
  heartbeatStallToleranceMs: number
  /**
   * A connection refused because we are full stays open this long before we close it, so the
   * newcomer can still ask us for addresses (peer exchange) and find somebody else: a full
   * node keeps helping the mesh grow instead of being a dead end. 0 closes at once.
   * @default 3000
   */
  refusedConnectionGraceMs: number
  /**
   * Refused connections held open in grace at once; beyond it the connection gater refuses
   * newcomers outright (a flood of fresh identities cannot pin more than this). @default 8
   */
  maxGraceConnections: number
  /** Time between two maintenance rounds (±20 % jitter). 0 turns rewiring off. @default 5000 */
  maintenanceIntervalMs: number
  /** Shortest time between two rewires of one node (drops to make room). @default 1000 */
  rewireMinIntervalMs: number
  /** A refusal of an unsettled newcomer makes full nodes rewire for this long. @default 20000 */
  rewireTriggerMs: number
  /**
   * A node of the shared topology whose last announcement is older than this is taken as gone,
   * with its edges (nodes republish every 20 s; announcements expire only after 65 s, and a node
   * whose neighbours all left cannot publish its empty list). @default 30000
   */
  topologyFreshMs: number
  /** Our peermesh protocols; a peer announcing another major version of one is incompatible. */
  protocols: string[]
}

export const defaultMeshRouterOptions: MeshRouterOptions = {
  dialConcurrency: 4,
  dialPacingMs: 100,
  dialTimeoutMs: 15_000,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 5_000,
  maxMissedHeartbeats: 3,
  heartbeatStallToleranceMs: 30_000,
  refusedConnectionGraceMs: 3000,
  maxGraceConnections: 8,
  maintenanceIntervalMs: 5000,
  rewireMinIntervalMs: 1000,
  rewireTriggerMs: 20_000,
  topologyFreshMs: 30_000,
  protocols: []
}

export class InvalidMeshRouterOptionsError extends Error {
  override name = 'InvalidMeshRouterOptionsError'
}

export function createMeshRouterOptions (partial: Partial<MeshRouterOptions> = {}): MeshRouterOptions {
  const options = { ...defaultMeshRouterOptions }
  for (const key of Object.keys(options) as Array<keyof MeshRouterOptions>) {
    const value = partial[key]
    if (value !== undefined) (options as Record<string, unknown>)[key] = value
  }
  validateMeshRouterOptions(options)
  return options
}

/** Lists every problem at once. */
export function validateMeshRouterOptions (o: MeshRouterOptions): void {
  const problems: string[] = []
  for (const key of ['dialConcurrency', 'maxMissedHeartbeats'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) problems.push(`${key} must be an integer ≥ 1`)
  }
  if (!Number.isInteger(o.maxGraceConnections) || o.maxGraceConnections < 0) problems.push('maxGraceConnections must be an integer ≥ 0')
  for (const key of ['dialPacingMs', 'dialTimeoutMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'heartbeatStallToleranceMs', 'refusedConnectionGraceMs', 'maintenanceIntervalMs', 'rewireMinIntervalMs', 'rewireTriggerMs', 'topologyFreshMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) problems.push(`${key} must be a number ≥ 0`)
  }
  if (o.dialTimeoutMs === 0) problems.push('dialTimeoutMs must be > 0')
  if (problems.length > 0) throw new InvalidMeshRouterOptionsError(problems.join('; '))
}

/** What the tie-break needs to know of a connection. */
export interface ConnectionFacts {
  direction: 'inbound' | 'outbound'
  /** Relayed with data/time limits (a circuit-relay hop). */
  limited: boolean
  /**
   * Can carry traffic now (a WebRTC connection still checking ICE cannot). @default true
   */
  established?: boolean
  /** Epoch ms it opened. */
  openedAt: number
}

/**
 * Two connections to one peer opened further apart than this are not a simultaneous dial: the
 * peer came back (a reloaded tab, a restarted node) and the older connection is stale.
 */
export const SIMULTANEOUS_DIAL_WINDOW_MS = 5_000

/**
 * Which of two connections to the same peer both sides keep. A connection that carries traffic
 * beats one that cannot yet (a WebRTC connection still checking ICE), so a working relayed link is
 * never closed for a dead direct one. A direct connection beats a limited one. Between two direct connections opened more than {@link SIMULTANEOUS_DIAL_WINDOW_MS} apart
 * the newer wins (the peer reconnected). Within that window it was a simultaneous dial: the
 * connection dialed by the peer with the smaller peer ID wins. Both ends compute the same answer,
 * so a pair never keeps two connections or none. Returns true when `a` is kept.
 */
export function prefersFirstConnection (a: ConnectionFacts, b: ConnectionFacts, selfId: string, remoteId: string): boolean {
  const aEstablished = a.established ?? true
  const bEstablished = b.established ?? true
  if (aEstablished !== bEstablished) return aEstablished
  if (a.limited !== b.limited) return !a.limited
  if (Math.abs(a.openedAt - b.openedAt) > SIMULTANEOUS_DIAL_WINDOW_MS) return a.openedAt > b.openedAt
  const weDialWinner = selfId < remoteId
  const aWins = (a.direction === 'outbound') === weDialWinner
  const bWins = (b.direction === 'outbound') === weDialWinner
  if (aWins !== bWins) return aWins
  // same direction on both: keep the older one (stable)
  return a.openedAt <= b.openedAt
}

/** After answering a newcomer held in grace, hang up this much later (its response is flushed). */
export const GRACE_LINGER_MS = 200

/**
 * Answered newcomers being hung up, per grace slot, at most: the connections a full node holds
 * beyond `maxConnected` stay below `maxGraceConnections × (1 + this)`.
 */
export const LINGERING_PER_GRACE_SLOT = 2

export type DialOutcome = 'managed' | 'duplicate' | 'refused'
export type OpenOutcome = { kind: 'await-dial' } | { kind: 'managed' } | { kind: 'grace', closeAfterMs: number } | { kind: 'close', reason: unknown }

export interface RouterPolicyStats {
  graceAdmitted: number
  /** Newcomers taken from grace into a slot made free for them. */
  promoted: number
  graceRefused: number
  rewires: number
  heartbeatFailures: number
  deadPeers: number
  refusedByRemote: number
}

export interface RouterPolicyInit {
  selfId: string
  peerManager: PeerManager
  clock: Clock
  random: Random
  options?: Partial<MeshRouterOptions>
  /** The PeerManager's degree limits (maintenance keeps every node ≥ `minConnected`). */
  limits: { minConnected: number, maxConnected: number }
  /** The mesh graph the nodes share (topology sharing); maintenance never acts without it. */
  topology?: () => TopologyGraph | undefined
}

interface HeartbeatState {
  missed: number
  lastOkAt: number
}

export class RouterPolicy {
  readonly options: MeshRouterOptions
  readonly stats: RouterPolicyStats = { graceAdmitted: 0, promoted: 0, graceRefused: 0, rewires: 0, heartbeatFailures: 0, deadPeers: 0, refusedByRemote: 0 }
  private readonly init: RouterPolicyInit
  private readonly pm: PeerManager
  private readonly clock: Clock
  private readonly random: Random
  private readonly dialing = new Set<string>()
  private readonly grace = new Set<string>()
  /**
   * Newcomers held in grace that got their answer and are being hung up ({@link GRACE_LINGER_MS}):
   * they no longer take a grace slot (we close them on our own timer, so nobody can pin them), so
   * the next newcomer is let in while the answer drains. At most {@link LINGERING_PER_GRACE_SLOT}
   * per grace slot.
   */
  private readonly lingering = new Set<string>()
  private readonly graceExtended = new Set<string>()
  private readonly heartbeats = new Map<string, HeartbeatState>()
  /** Neighbours the PeerManager took (accepted, dialed or promoted). */
  private readonly managed = new Set<string>()
  /** Managed neighbours that are ready (identified). */
  private readonly ready = new Set<string>()
  /** Neighbour being dropped → the newcomer in grace that takes its slot once it is gone. */
  private readonly makingRoomFor = new Map<string, string>()
  private lastRewireAt = -Infinity
  private lastDialStartAt = -Infinity
  /** Epoch ms of the last refusal of an unsettled newcomer. */
  private lastStarvingRefusalAt = -Infinity

  constructor (init: RouterPolicyInit) {
    this.init = init
    this.pm = init.peerManager
    this.clock = init.clock
    this.random = init.random
    this.options = createMeshRouterOptions(init.options)
  }

  get dialConcurrency (): number {
    return this.options.dialConcurrency
  }

  // ---- dialing -------------------------------------------------------------------------------

  dialWaitMs (): number {
    return Math.max(0, this.lastDialStartAt + this.options.dialPacingMs - this.clock.now())
  }

  dialStarted (peerId: string): void {
    this.lastDialStartAt = this.clock.now()
    this.dialing.add(peerId)
  }

  dialFinished (peerId: string): void {
    this.dialing.delete(peerId)
  }

  isDialing (peerId: string): boolean {
    return this.dialing.has(peerId)
  }

  /** Our dial produced an open connection. `alreadyManaged`: an inbound one from the peer won the race. */
  dialSucceeded (address: NodeAddress, alreadyManaged: boolean): DialOutcome {
    this.dialing.delete(address.peerId)
    if (alreadyManaged) {
      // spec: the later one errors
      this.pm.dialFailed(address)
      return 'duplicate'
    }
    try {
      this.pm.dialed(address)
    } catch {
      return 'refused'
    }
    this.managed.add(address.peerId)
    return 'managed'
  }

  dialFailed (address: NodeAddress): void {
    this.dialing.delete(address.peerId)
    this.pm.dialFailed(address)
  }

  // ---- admission -----------------------------------------------------------------------------

  /**
   * Before any handshake (the peer is not known yet): false when we are full and every grace slot
   * is taken, so a crowd of newcomers costs us no handshakes we would refuse afterwards anyway.
   */
  admitAnyInbound (): boolean {
    const { maxConnected } = this.init.limits
    return maxConnected === 0 || this.managed.size < maxConnected || this.hasGraceSlot()
  }

  private hasGraceSlot (): boolean {
    const max = this.options.maxGraceConnections
    return this.grace.size < max && this.lingering.size < max * LINGERING_PER_GRACE_SLOT
  }

  admitInbound (peerId: string): boolean {
    if (this.pm.canAccept(peerId)) return true
    if (this.options.refusedConnectionGraceMs === 0 || !this.hasGraceSlot()) return false
    // refused for another reason than being full (self, banned, inactive): never
    if (peerId === this.init.selfId || this.pm.isBanned(peerId)) return false
    if (this.pm.peer(peerId)?.state === 'inactive') return false
    // a peer the shared topology shows settled does not need our help: keep the slots for newcomers
    return !this.isSettled(peerId)
  }

  connectionOpened (peerId: string, facts: { direction: 'inbound' | 'outbound' }): OpenOutcome {
    if (facts.direction === 'outbound' && this.dialing.has(peerId)) return { kind: 'await-dial' }
    try {
      this.pm.accepted(peerId)
    } catch (err) {
      if (err instanceof ConnectionLimitError && this.options.refusedConnectionGraceMs > 0 && this.hasGraceSlot()) {
        this.grace.add(peerId)
        this.stats.graceAdmitted++
        if (!this.isSettled(peerId)) {
          this.lastStarvingRefusalAt = this.clock.now()
          // make room for it at once: drop a redundant neighbour, then take the newcomer in its place
          const victim = this.rewire()
          if (victim !== undefined) this.makingRoomFor.set(victim, peerId)
        }
        return { kind: 'grace', closeAfterMs: this.options.refusedConnectionGraceMs }
      }
      this.stats.graceRefused++
      return { kind: 'close', reason: err }
    }
    this.managed.add(peerId)
    return { kind: 'managed' }
  }

  graceEnded (peerId: string): void {
    this.grace.delete(peerId)
    this.lingering.delete(peerId)
  }

  /**
   * We answered `peerId`'s peer-exchange request. A newcomer held in grace has what it came for:
   * returns after how many ms to hang up (seed mode: accept, answer, hang up), else undefined.
   */
  peerExchangeAnswered (peerId: string): number | undefined {
    if (!this.grace.has(peerId)) return undefined
    for (const newcomer of this.makingRoomFor.values()) if (newcomer === peerId) return undefined
    // its slot is free for the next newcomer while the answer drains
    this.grace.delete(peerId)
    this.graceExtended.delete(peerId)
    this.lingering.add(peerId)
    return GRACE_LINGER_MS
  }

  /**
   * The grace timer of `peerId` ran out: ms to wait longer while a slot is being made for it (the
   * dropped neighbour's goodbye and close can take a while on a loaded machine), else undefined
   * (hang up). It waits at most once more.
   */
  graceExpired (peerId: string): number | undefined {
    if (!this.grace.has(peerId) || this.graceExtended.has(peerId)) return undefined
    for (const newcomer of this.makingRoomFor.values()) {
      if (newcomer === peerId) {
        this.graceExtended.add(peerId)
        return this.options.refusedConnectionGraceMs
      }
    }
    return undefined
  }

  /** A managed neighbour is identified and ready: its heartbeat stall clock starts now. */
  linkReady (peerId: string): void {
    this.ready.add(peerId)
    this.heartbeats.set(peerId, { missed: 0, lastOkAt: this.clock.now() })
  }

  /** Peers held open in grace right now (answered ones being hung up not counted). */
  graceCount (): number {
    return this.grace.size
  }

  /** Answered newcomers being hung up right now. */
  lingeringCount (): number {
    return this.lingering.size
  }

  /**
   * A peer's last connection closed. `reportFailed`: the driver should report `address` as a
   * failed dial (we dialed it and it hung up within the grace window: it was full and refused us,
   * so its retry delay grows instead of it being redialled after every cooldown). `promote`: a
   * newcomer held in grace whose slot this was; the driver calls `promote(newcomer)`.
   */
  linkClosed (peerId: string, link: { direction: 'inbound' | 'outbound', openedAt: number, managed: boolean, address?: NodeAddress }): { reportFailed: boolean, promote?: string } {
    this.grace.delete(peerId)
    this.lingering.delete(peerId)
    this.graceExtended.delete(peerId)
    this.heartbeats.delete(peerId)
    this.ready.delete(peerId)
    this.managed.delete(peerId)
    for (const [victim, newcomer] of this.makingRoomFor) if (newcomer === peerId) this.makingRoomFor.delete(victim)
    const promote = this.makingRoomFor.get(peerId)
    this.makingRoomFor.delete(peerId)
    let reportFailed = false
    if (link.managed && link.direction === 'outbound' && link.address != null && this.clock.now() - link.openedAt <= this.options.refusedConnectionGraceMs + 1000) {
      this.stats.refusedByRemote++
      this.pm.dialFailed(link.address, { refused: true })
      reportFailed = true
    }
    return promote !== undefined && this.grace.has(promote) ? { reportFailed, promote } : { reportFailed }
  }

  /** Takes a newcomer held in grace as a neighbour (its slot was made free). True when the PeerManager took it. */
  promote (peerId: string): boolean {
    if (!this.grace.has(peerId)) return false
    try {
      this.pm.accepted(peerId)
    } catch {
      return false
    }
    this.grace.delete(peerId)
    this.graceExtended.delete(peerId)
    this.managed.add(peerId)
    this.stats.promoted++
    return true
  }

  // ---- heartbeats ----------------------------------------------------------------------------

  heartbeatDelayMs (): number {
    return this.options.heartbeatIntervalMs * (1 + (this.random() - 0.5) * 0.2)
  }

  heartbeatTimeoutMs (rttMs: number | undefined): number {
    return Math.max(this.options.heartbeatTimeoutMs, 4 * (rttMs ?? 0))
  }

  heartbeatSucceeded (peerId: string): void {
    if (!this.ready.has(peerId)) return
    this.heartbeats.set(peerId, { missed: 0, lastOkAt: this.clock.now() })
  }

  heartbeatFailed (peerId: string): 'tolerated' | 'dead' {
    const state = this.heartbeats.get(peerId) ?? { missed: 0, lastOkAt: this.clock.now() }
    this.heartbeats.set(peerId, state)
    state.missed++
    this.stats.heartbeatFailures++
    const silentMs = this.clock.now() - state.lastOkAt
    if (state.missed < this.options.maxMissedHeartbeats || silentMs < this.options.heartbeatStallToleranceMs) return 'tolerated'
    this.stats.deadPeers++
    this.heartbeats.delete(peerId)
    this.pm.errored(peerId, 'heartbeat timeout')
    return 'dead'
  }

  /** When `peerId` last answered a heartbeat (or became ready), on the injected clock. */
  lastHeartbeatAnsweredAt (peerId: string): number | undefined {
    return this.heartbeats.get(peerId)?.lastOkAt
  }

  missedHeartbeats (peerId: string): number {
    return this.heartbeats.get(peerId)?.missed ?? 0
  }

  // ---- maintenance ---------------------------------------------------------------------------

  maintenanceDelayMs (): number {
    return this.options.maintenanceIntervalMs * (1 + (this.random() - 0.5) * 0.4)
  }

  /**
   * One maintenance round: the peer to drop to make room for a newcomer, or undefined. The
   * policy has already asked the PeerManager to evict it (`errored`, which leaves its score alone).
   */
  maintain (): string | undefined {
    if (this.clock.now() - this.lastStarvingRefusalAt > this.options.rewireTriggerMs) return undefined
    const victim = this.rewire()
    // one drop per trigger: the next one needs a new refusal
    if (victim !== undefined) this.lastStarvingRefusalAt = -Infinity
    return victim
  }

  /**
   * Drops the best-connected ready neighbour whose degree stays ≥ minConnected without us and
   * whose edge to us is not a cut edge of the shared topology; at most one per
   * `rewireMinIntervalMs`. The PeerManager is asked to evict it (`errored`, which leaves its
   * score alone). Returns it, or undefined.
   */
  private rewire (): string | undefined {
    const { minConnected, maxConnected } = this.init.limits
    const now = this.clock.now()
    if (this.options.maintenanceIntervalMs === 0 || maxConnected === 0 || now - this.lastRewireAt < this.options.rewireMinIntervalMs) return undefined
    const ready = [...this.ready].filter(id => !this.makingRoomFor.has(id))
    if (this.pm.stats().connected < maxConnected || ready.length - 1 < minConnected) return undefined
    const raw = this.init.topology?.()
    if (raw == null) return undefined
    const facts = sharedFacts(raw, now - this.options.topologyFreshMs)
    let adjacency: AdjacencyView
    if (facts !== undefined) adjacency = withOwnEdges(adjacencyOfGraph(facts, raw), this.init.selfId, [...this.ready])
    else adjacency = adjacencyOf(this.freshGraph(raw) as TopologyGraph, this.init.selfId, [...this.ready])
    let best: { peerId: string, degree: number, tie: number } | undefined
    for (const peerId of ready) {
      if (this.pm.peer(peerId)?.persistent === true) continue
      const degree = adjacency.get(peerId)?.size ?? 0
      // without us it must keep its minimum; and we must not cut the mesh
      if (degree - 1 < minConnected) continue
      if (isCutEdge(adjacency, this.init.selfId, peerId)) continue
      const tie = this.random()
      if (best == null || degree > best.degree || (degree === best.degree && tie > best.tie)) best = { peerId, degree, tie }
    }
    if (best == null) return undefined
    this.lastRewireAt = now
    this.stats.rewires++
    this.pm.errored(best.peerId, 'rewire: making room for a newcomer')
    return best.peerId
  }

  /** The shared topology without nodes (and their edges) not heard from for `topologyFreshMs`. */
  private freshGraph (graph = this.init.topology?.()): TopologyGraph | undefined {
    if (graph == null) return undefined
    const cutoff = this.clock.now() - this.options.topologyFreshMs
    const stale = new Set(graph.nodes.filter(n => n.peerId !== this.init.selfId && n.updatedAt < cutoff).map(n => n.peerId))
    if (stale.size === 0) return graph
    return {
      self: graph.self,
      nodes: graph.nodes.filter(n => !stale.has(n.peerId)),
      edges: graph.edges.filter(e => !stale.has(e.from) && !stale.has(e.to))
    }
  }

  /** Settled: the shared topology shows the peer with at least `minConnected` neighbours. */
  private isSettled (peerId: string): boolean {
    const graph = this.init.topology?.()
    if (graph == null) return false
    const facts = sharedFacts(graph, this.clock.now() - this.options.topologyFreshMs)
    if (facts !== undefined) return (degreesOfGraph(facts, graph).get(peerId) ?? 0) >= this.init.limits.minConnected
    const fresh = this.freshGraph(graph) as TopologyGraph
    let degree = 0
    const seen = new Set<string>()
    for (const edge of fresh.edges) {
      const other = edge.from === peerId ? edge.to : edge.to === peerId ? edge.from : undefined
      if (other != null && !seen.has(other)) {
        seen.add(other)
        degree++
      }
    }
    return degree >= this.init.limits.minConnected
  }
}

/**
 * What is derived from one shared graph object, for a topology source that hands out the same
 * object more than once and to many policies (the simulator's, refreshed each simulated second;
 * a live node's MeshTopology builds a new graph per call, and there nothing is derived: the first
 * look at a graph scans it as before). Derived only while no node of the graph is stale, so the
 * fresh graph is the whole graph whoever looks (a stale node makes every look scan as before). A
 * graph handed out is never changed afterwards (MeshTopology.graph() and the simulator both
 * build a new one).
 */
interface SharedGraphFacts {
  /** Oldest announcement in the graph: the facts hold for cutoffs ≤ this. */
  freshMin: number
  /** Distinct neighbours per node, counted as `isSettled`'s scan counts them. */
  degrees?: Map<string, number>
  /** Undirected adjacency over the edges, as `adjacencyOf` builds it before adding our own. */
  adjacency?: Map<string, Set<string>>
}
const sharedGraphFacts = new WeakMap<TopologyGraph, SharedGraphFacts | 'seen'>()

/** The facts of `graph` if it was handed out before and nothing in it is stale at `cutoff`. */
function sharedFacts (graph: TopologyGraph, cutoff: number): SharedGraphFacts | undefined {
  const known = sharedGraphFacts.get(graph)
  if (known === undefined) {
    sharedGraphFacts.set(graph, 'seen')
    return undefined
  }
  if (known !== 'seen') return cutoff <= known.freshMin ? known : undefined
  let freshMin = Infinity
  for (const node of graph.nodes) if (node.updatedAt < freshMin) freshMin = node.updatedAt
  const facts: SharedGraphFacts = { freshMin }
  sharedGraphFacts.set(graph, facts)
  return cutoff <= freshMin ? facts : undefined
}

function degreesOfGraph (facts: SharedGraphFacts, graph: TopologyGraph): Map<string, number> {
  if (facts.degrees !== undefined) return facts.degrees
  const neighbours = new Map<string, Set<string>>()
  const add = (a: string, b: string): void => {
    let set = neighbours.get(a)
    if (set === undefined) neighbours.set(a, set = new Set())
    set.add(b)
  }
  for (const edge of graph.edges) {
    add(edge.from, edge.to)
    if (edge.to !== edge.from) add(edge.to, edge.from)
  }
  const degrees = new Map<string, number>()
  for (const [id, set] of neighbours) degrees.set(id, set.size)
  facts.degrees = degrees
  return degrees
}

function adjacencyOfGraph (facts: SharedGraphFacts, graph: TopologyGraph): Map<string, Set<string>> {
  if (facts.adjacency !== undefined) return facts.adjacency
  const adjacency = new Map<string, Set<string>>()
  const link = (a: string, b: string): void => {
    if (a === b) return
    let set = adjacency.get(a)
    if (set == null) adjacency.set(a, set = new Set())
    set.add(b)
  }
  for (const edge of graph.edges) {
    link(edge.from, edge.to)
    link(edge.to, edge.from)
  }
  facts.adjacency = adjacency
  return adjacency
}

/**
 * `adjacencyOf(graph, selfId, ownNeighbours)` over the shared adjacency of the whole graph: our
 * own edges replaced by the router's (fresher), without copying the rest.
 */
function withOwnEdges (shared: ReadonlyMap<string, ReadonlySet<string>>, selfId: string, ownNeighbours: readonly string[]): AdjacencyView {
  const own = new Set<string>()
  for (const id of ownNeighbours) if (id !== selfId) own.add(id)
  const patched = new Map<string, ReadonlySet<string>>([[selfId, own]])
  const touched = new Set<string>(own)
  for (const id of shared.get(selfId) ?? []) touched.add(id)
  for (const id of touched) {
    const set = new Set(shared.get(id) ?? [])
    set.delete(selfId)
    if (own.has(id)) set.add(selfId)
    patched.set(id, set)
  }
  return { get: (peerId) => patched.get(peerId) ?? shared.get(peerId) }
}

/** Undirected adjacency of the shared graph, with our own edges taken from the router (fresher). */
export function adjacencyOf (graph: TopologyGraph, selfId: string, ownNeighbours: readonly string[]): Map<string, Set<string>> {
  const adjacency = new Map<string, Set<string>>()
  const link = (a: string, b: string): void => {
    if (a === b) return
    let set = adjacency.get(a)
    if (set == null) adjacency.set(a, set = new Set())
    set.add(b)
  }
  for (const edge of graph.edges) {
    if (edge.from === selfId || edge.to === selfId) continue
    link(edge.from, edge.to)
    link(edge.to, edge.from)
  }
  for (const id of ownNeighbours) {
    link(selfId, id)
    link(id, selfId)
  }
  return adjacency
}

/** What `isCutEdge` reads of an adjacency: a node's neighbours (a Map of Sets will do). */
export interface AdjacencyView {
  get: (peerId: string) => ReadonlySet<string> | undefined
}

/** True when removing the edge a–b leaves a and b in different components. */
export function isCutEdge (adjacency: AdjacencyView, a: string, b: string): boolean {
  const seen = new Set<string>([a])
  const stack = [a]
  while (stack.length > 0) {
    const id = stack.pop() as string
    for (const next of adjacency.get(id) ?? []) {
      if (id === a && next === b) continue
      if (next === b) return false
      if (!seen.has(next)) {
        seen.add(next)
        stack.push(next)
      }
    }
  }
  return true
}
