/**
 * The router owns all connection I/O: it is the libp2p driver of two I/O-free modules, the
 * PeerManager (who to dial, accept, evict) and the {@link RouterPolicy} (pacing, tie-breaks,
 * refused-connection grace, heartbeat tolerance, rewiring). Every decision is theirs; this file
 * only turns libp2p events into their inputs and their outputs into dials, pings and hang-ups.
 *
 * Loops (each one a plain async loop over the manager's synchronous core):
 * - dial loop: `dialSlots.acquire` → `peerManager.dialNext()` → pace → `libp2p.dial()` →
 *   `dialed()` or `dialFailed()`;
 * - eviction loop: `peerManager.evictNext()` → `libp2p.hangUp()`;
 * - heartbeats: one timer per connected peer, `ping` with a timeout that adapts to the link's
 *   RTT; the policy reports a peer dead after `maxMissedHeartbeats` misses and a silence of
 *   `heartbeatStallToleranceMs` (libp2p's own connection monitor is off: one heartbeat);
 * - maintenance: every `maintenanceIntervalMs` the policy may drop one redundant neighbour to
 *   make room for a newcomer that a full node turned away.
 * Events from libp2p:
 * - `connection:open`: the first connection to a peer is `accepted()` (inbound, or outbound that
 *   libp2p opened on its own, e.g. a relay reservation) unless our dial loop is dialing it; a
 *   further connection to the same peer is reconciled: one connection per pair survives
 *   (`preferredConnection`: direct beats relayed; simultaneous dials break ties by peer ID);
 * - `peer:identify`: capability check (an incompatible peermesh protocol version marks the peer
 *   inactive), then `ready()`;
 * - `connection:close`: when the peer's last connection closes, `disconnected()`.
 * PeerManager updates: a `banned` peer is hung up at once.
 */
import type { Connection, IdentifyResult, Libp2p, PeerId } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { delay, systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js'
import { logText, silentLogger, type Logger } from '../logger.js'
import type { NodeAddress } from '../address/index.js'
import type { PeerManager } from '../peer-manager/index.js'
import type { PeerTransport, TopologyGraph } from '../vocabulary.js'
import { DialSlots } from './dial-slots.js'
import { isLimited, preferredConnection, transportOf } from './connection-kind.js'
import { RouterPolicy, type MeshRouterOptions, type RouterPolicyStats } from './router-policy.js'

export {
  createMeshRouterOptions,
  defaultMeshRouterOptions,
  InvalidMeshRouterOptionsError,
  validateMeshRouterOptions,
  type MeshRouterOptions
} from './router-policy.js'

/** The protocol family every peermesh node speaks; its major version must match ours. */
export const PEERMESH_PROTOCOL_PREFIX = '/peermesh/'

/** What the router knows about a neighbour while at least one connection to it is open. */
/** Direct-dial failures remembered at most (the oldest goes first). */
const MAX_DIRECT_FAILURES = 256

/** The last failed direct WebRTC dial to a peer (see `MeshRouter.directFailure`). */
export interface DirectDialFailure {
  /** Epoch ms of the failure. */
  at: number
  /** The dial's error, as logged. */
  error: string
}

export interface NeighbourLink {
  peerId: string
  /** The connection both sides keep; others are being closed. */
  primary: Connection
  transport: PeerTransport
  direction: 'inbound' | 'outbound'
  limited: boolean
  connectedSince: number
  rttMs?: number
  /** Protocols from identify, once known. */
  protocols?: string[]
  /** Told to the PeerManager (accepted or dialed). */
  managed: boolean
  ready: boolean
}

interface LinkState extends NeighbourLink {
  connections: Set<Connection>
  heartbeat?: TimerHandle
  /** The address our dial loop dialed, for an outbound link. */
  address?: NodeAddress
}

export interface MeshRouterStats {
  dialsStarted: number
  dialsSucceeded: number
  dialsFailed: number
  dialsTimedOut: number
  inboundAccepted: number
  inboundRejected: number
  duplicateConnectionsClosed: number
  evictions: number
  heartbeatFailures: number
  deadPeers: number
  incompatiblePeers: number
  /** Refused connections held open for peer exchange (seed mode), and refused outright. */
  graceAdmitted: number
  /** Newcomers taken from grace into a slot a dropped neighbour left. */
  promoted: number
  /** Redundant neighbours dropped to make room for a newcomer. */
  rewires: number
  /** Outbound connections the remote hung up on within its grace window (it was full). */
  refusedByRemote: number
}

export interface MeshRouterEvents {
  /** A neighbour became ready (connected and identified). */
  onReady?(link: NeighbourLink): void
  /** A neighbour's last connection closed. */
  onGone?(peerId: string): void
  /** Anything about neighbours changed (connections, RTT, state). */
  onChange?(): void
  /**
   * A ready neighbour's kept connection changed (a relayed one replaced by direct WebRTC, or a
   * stale one by the peer's new one): per-connection state such as streams must move to it.
   */
  onPrimaryChange?(link: NeighbourLink): void
}

export interface MeshRouterComponents {
  libp2p: Libp2p<{ ping: Ping }>
  peerManager: PeerManager
  /**
   * Called before the router closes a peer's connections on purpose (eviction, ban), so that the
   * peer can be told why (the session protocol's Goodbye). Bounded in time by the callee.
   */
  farewell?: (peerId: string, reason: 'evicted' | 'banned') => Promise<void>
  clock?: Clock
  random?: Random
  logger?: Logger
  /** The PeerManager's degree limits, for rewiring. @default none (no rewiring) */
  limits?: { minConnected: number, maxConnected: number }
  /** The shared mesh graph (topology sharing), for rewiring; without it the router never rewires. */
  topology?: () => TopologyGraph | undefined
}

export class MeshRouter {
  private readonly libp2p: Libp2p<{ ping: Ping }>
  private readonly pm: PeerManager
  private readonly farewell?: MeshRouterComponents['farewell']
  private readonly clock: Clock
  private readonly log: Logger
  private readonly options: MeshRouterOptions
  private readonly selfId: string
  /** Every decision (pacing, admission, grace, heartbeat tolerance, rewiring). */
  readonly policy: RouterPolicy
  private readonly links = new Map<string, LinkState>()
  /**
   * Peers whose last direct WebRTC dial (`/p2p-circuit/webrtc`, signalled through a relay) failed,
   * with when and why: ICE found no working pair (e.g. a symmetric NAT without TURN) or the dial
   * timed out. Cleared once a direct WebRTC link to the peer is up. Bounded by the PeerManager's
   * book: an entry goes with its peer's last failure being replaced, and at most
   * {@link MAX_DIRECT_FAILURES} are kept.
   */
  private readonly directFailures = new Map<string, DirectDialFailure>()
  private readonly slots: DialSlots
  private readonly listeners: MeshRouterEvents[] = []
  private controller?: AbortController
  private loops: Array<Promise<void>> = []
  private maintenanceTimer?: TimerHandle
  private readonly graceTimers = new Set<TimerHandle>()
  private readonly counters = {
    dialsStarted: 0,
    dialsSucceeded: 0,
    dialsFailed: 0,
    dialsTimedOut: 0,
    inboundAccepted: 0,
    inboundRejected: 0,
    duplicateConnectionsClosed: 0,
    evictions: 0,
    incompatiblePeers: 0
  }

  constructor (components: MeshRouterComponents, options: Partial<MeshRouterOptions> = {}) {
    this.libp2p = components.libp2p
    this.pm = components.peerManager
    this.farewell = components.farewell
    this.clock = components.clock ?? systemClock
    this.log = components.logger ?? silentLogger
    this.selfId = this.libp2p.peerId.toString()
    const limits = components.limits ?? { minConnected: 0, maxConnected: 0 }
    this.policy = new RouterPolicy({
      selfId: this.selfId,
      peerManager: this.pm,
      clock: this.clock,
      random: components.random ?? systemRandom,
      options,
      limits: { minConnected: limits.minConnected, maxConnected: limits.maxConnected },
      ...(components.topology != null ? { topology: components.topology } : {})
    })
    this.options = this.policy.options
    this.slots = new DialSlots(this.policy.dialConcurrency)
  }

  /** Counters of the router and its policy, for metrics. */
  get stats (): MeshRouterStats {
    const p: RouterPolicyStats = this.policy.stats
    return {
      ...this.counters,
      heartbeatFailures: p.heartbeatFailures,
      deadPeers: p.deadPeers,
      graceAdmitted: p.graceAdmitted,
      promoted: p.promoted,
      rewires: p.rewires,
      refusedByRemote: p.refusedByRemote
    }
  }

  /**
   * Peer exchange answered `peerId`: a newcomer we hold only for that is hung up shortly after.
   */
  peerExchangeAnswered (peerId: string): void {
    const closeAfterMs = this.policy.peerExchangeAnswered(peerId)
    const link = this.links.get(peerId)
    if (closeAfterMs == null || link == null || link.managed) return
    this.holdUntilClosed(link, closeAfterMs)
  }

  /** For the connection gater, before the handshake: whether any inbound connection may be set up. */
  admitAnyInbound (): boolean {
    return this.policy.admitAnyInbound()
  }

  /** For the connection gater: whether an inbound connection from `peerId` may be set up. */
  admitInbound (peerId: string): boolean {
    return this.policy.admitInbound(peerId)
  }

  /** Registers callbacks; returns a function that removes them. */
  listen (events: MeshRouterEvents): () => void {
    this.listeners.push(events)
    return () => {
      const index = this.listeners.indexOf(events)
      if (index >= 0) this.listeners.splice(index, 1)
    }
  }

  /** Starts the loops; call after `libp2p.start()`. */
  start (): void {
    if (this.controller != null) return
    this.controller = new AbortController()
    const signal = this.controller.signal
    this.libp2p.addEventListener('connection:open', this.onConnectionOpen)
    this.libp2p.addEventListener('connection:close', this.onConnectionClose)
    this.libp2p.addEventListener('peer:identify', this.onIdentify)
    // connections that libp2p opened before we started listening
    for (const connection of this.libp2p.getConnections()) this.onConnectionOpen(new CustomEvent('connection:open', { detail: connection }))
    this.loops = [this.dialLoop(signal), this.evictLoop(signal), this.banLoop(signal)]
    this.scheduleMaintenance()
  }

  /** Stops the loops and heartbeats; connections are left to `libp2p.stop()`. */
  async stop (): Promise<void> {
    if (this.controller == null) return
    this.controller.abort(new Error('router stopped'))
    this.controller = undefined
    this.libp2p.removeEventListener('connection:open', this.onConnectionOpen)
    this.libp2p.removeEventListener('connection:close', this.onConnectionClose)
    this.libp2p.removeEventListener('peer:identify', this.onIdentify)
    for (const link of this.links.values()) link.heartbeat?.cancel()
    this.maintenanceTimer?.cancel()
    this.maintenanceTimer = undefined
    for (const timer of this.graceTimers) timer.cancel()
    this.graceTimers.clear()
    await Promise.allSettled(this.loops)
    this.loops = []
  }

  /**
   * Current neighbours: peers with an open connection that the PeerManager took (a connection
   * still being dialed, or refused and about to close, is not a neighbour).
   */
  /** Why the last direct WebRTC dial to `peerId` failed, unless a direct link has been up since. */
  directFailure (peerId: string): DirectDialFailure | undefined {
    return this.directFailures.get(peerId)
  }

  private noteDirectFailure (peerId: string, error: string): void {
    this.directFailures.delete(peerId)
    this.directFailures.set(peerId, { at: this.clock.now(), error })
    for (const oldest of this.directFailures.keys()) {
      if (this.directFailures.size <= MAX_DIRECT_FAILURES) break
      this.directFailures.delete(oldest)
    }
  }

  neighbours (): NeighbourLink[] {
    return [...this.links.values()].filter(link => link.managed).map(({ connections: _c, heartbeat: _h, address: _a, ...link }) => link)
  }

  neighbour (peerId: string): NeighbourLink | undefined {
    const link = this.links.get(peerId)
    if (link == null) return undefined
    const { connections: _c, heartbeat: _h, address: _a, ...rest } = link
    return rest
  }

  /**
   * Drops every connection to `peerId` at once, without a graceful close: the peer told us it is
   * leaving (Goodbye), so waiting for it to acknowledge a close would only delay noticing.
   */
  dropPeer (peerId: string): void {
    const link = this.links.get(peerId)
    if (link == null) return
    for (const connection of [...link.connections]) connection.abort(new PeerLeftError(`${peerId} said goodbye`))
    if (this.links.get(peerId) === link) {
      for (const c of [...link.connections]) this.onConnectionClose(new CustomEvent('connection:close', { detail: c }))
    }
  }

  /**
   * Aborts, synchronously, every connection to a peer for which `keep` is false (a node stopping
   * from a page's `pagehide`: a peer we hold no session with, such as a newcomer admitted only to
   * ask us for peers, gets no Goodbye, and aborting is what tells its browser at once).
   */
  abortConnections (keep: (peerId: string) => boolean): void {
    for (const connection of this.libp2p.getConnections()) {
      if (!keep(connection.remotePeer.toString())) connection.abort(new NodeStoppingError('this node is stopping'))
    }
  }

  // ---- loops ----------------------------------------------------------------------------------

  private async dialLoop (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.slots.acquire(signal)
      } catch {
        return
      }
      let address: NodeAddress
      try {
        address = await this.pm.dialNext(signal)
      } catch {
        this.slots.release()
        return
      }
      const waitMs = this.policy.dialWaitMs()
      if (waitMs > 0) {
        try {
          await delay(this.clock, waitMs, signal)
        } catch {
          this.pm.dialFailed(address)
          this.slots.release()
          return
        }
      }
      this.policy.dialStarted(address.peerId)
      void this.dial(address, signal).finally(() => { this.slots.release() })
    }
  }

  private async dial (address: NodeAddress, stopSignal: AbortSignal): Promise<void> {
    const peerId = address.peerId
    this.counters.dialsStarted++
    const timeout = new AbortController()
    const timer = this.clock.setTimeout(() => { timeout.abort(new DialTimeoutError(`dial to ${address.toString()} timed out after ${this.options.dialTimeoutMs} ms`)) }, this.options.dialTimeoutMs)
    let connection: Connection
    try {
      connection = await this.libp2p.dial(address.toMultiaddr(), { signal: AbortSignal.any([stopSignal, timeout.signal]) })
    } catch (err) {
      if (stopSignal.aborted) {
        this.policy.dialFinished(peerId)
        return
      }
      if (timeout.signal.aborted) this.counters.dialsTimedOut++
      this.counters.dialsFailed++
      this.log.debug('dial failed', { address: address.toString(), error: errorText(err) })
      if (transportOf(address.toMultiaddr()) === 'webrtc') this.noteDirectFailure(peerId, errorText(err))
      this.policy.dialFailed(address)
      this.changed()
      return
    } finally {
      timer.cancel()
    }
    const link = this.links.get(peerId)
    if (link == null || connection.status !== 'open') {
      // the connection closed again before we could report it
      this.counters.dialsFailed++
      this.policy.dialFailed(address)
      return
    }
    const outcome = this.policy.dialSucceeded(address, link.managed)
    if (outcome === 'duplicate') {
      // an inbound connection from the same peer won the race
      this.reconcile(link)
      return
    }
    if (outcome === 'refused') {
      this.log.debug('dialed connection refused by peer manager', { peer: peerId })
      this.counters.dialsFailed++
      await this.closeAll(link)
      return
    }
    this.counters.dialsSucceeded++
    link.managed = true
    link.address = address
    this.log.info('connected', { peer: peerId, direction: 'outbound', transport: link.transport })
    this.maybeReady(link)
    this.changed()
  }

  private async evictLoop (signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let peerId: string
      try {
        peerId = await this.pm.evictNext(signal)
      } catch {
        return
      }
      this.counters.evictions++
      const link = this.links.get(peerId)
      this.log.info('evicting peer', { peer: peerId })
      if (link == null) {
        this.pm.disconnected(peerId)
        continue
      }
      await this.farewell?.(peerId, 'evicted')
      await this.closeAll(link)
    }
  }

  private async banLoop (signal: AbortSignal): Promise<void> {
    const subscription = this.pm.subscribe({ bufferSize: 256 })
    signal.addEventListener('abort', () => { subscription.close() }, { once: true })
    for await (const update of subscription) {
      if (update.status === 'banned') {
        const link = this.links.get(update.peerId)
        this.log.warn('peer banned', { peer: update.peerId })
        if (link != null) {
          await this.farewell?.(update.peerId, 'banned')
          await this.closeAll(link)
        }
      }
      this.changed()
    }
  }

  // ---- libp2p events ----------------------------------------------------------------------------

  private readonly onConnectionOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    const peerId = connection.remotePeer.toString()
    if (connection.status !== 'open') return
    const existing = this.links.get(peerId)
    if (existing != null) {
      existing.connections.add(connection)
      this.reconcile(existing)
      this.changed()
      return
    }
    const link: LinkState = {
      peerId,
      primary: connection,
      transport: transportOf(connection.remoteAddr),
      direction: connection.direction,
      limited: isLimited(connection),
      connectedSince: this.clock.now(),
      managed: false,
      ready: false,
      connections: new Set([connection])
    }
    this.links.set(peerId, link)
    const outcome = this.policy.connectionOpened(peerId, { direction: connection.direction })
    if (outcome.kind === 'await-dial') {
      // our dial loop reports it with dialed() when libp2p.dial() returns
      this.changed()
      return
    }
    if (outcome.kind === 'grace') {
      // full: the newcomer may ask us for addresses first (the link stays unmanaged), then we hang up
      this.counters.inboundRejected++
      this.log.debug('full: holding a refused connection open for peer exchange', { peer: peerId, ms: outcome.closeAfterMs })
      this.holdUntilClosed(link, outcome.closeAfterMs, true)
      this.changed()
      return
    }
    if (outcome.kind === 'close') {
      this.counters.inboundRejected++
      this.log.debug('connection refused by peer manager', { peer: peerId, error: errorText(outcome.reason) })
      void this.closeAll(link)
      return
    }
    this.counters.inboundAccepted++
    link.managed = true
    this.log.info('connected', { peer: peerId, direction: connection.direction, transport: link.transport })
    this.maybeReady(link)
    this.changed()
  }

  private readonly onConnectionClose = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    const peerId = connection.remotePeer.toString()
    const link = this.links.get(peerId)
    if (link == null || !link.connections.delete(connection)) return
    if (link.connections.size > 0) {
      if (link.primary === connection) this.reconcile(link)
      this.changed()
      return
    }
    link.heartbeat?.cancel()
    this.links.delete(peerId)
    if (link.managed) this.pm.disconnected(peerId)
    const after = this.policy.linkClosed(peerId, { direction: link.direction, openedAt: link.connectedSince, managed: link.managed, ...(link.address != null ? { address: link.address } : {}) })
    if (after.reportFailed) this.log.debug('peer hung up at once (full): its retry delay grows', { peer: peerId })
    if (after.promote != null) this.promote(after.promote)
    this.log.info('disconnected', { peer: peerId })
    for (const listener of this.listeners) listener.onGone?.(peerId)
    this.changed()
  }

  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const result = event.detail
    const peerId = result.peerId.toString()
    const link = this.links.get(peerId)
    if (link == null) return
    link.protocols = result.protocols
    if (!this.isCompatible(result.protocols)) {
      this.counters.incompatiblePeers++
      this.log.warn('peer speaks an incompatible peermesh protocol version', { peer: peerId, protocols: result.protocols.filter(p => p.startsWith(PEERMESH_PROTOCOL_PREFIX)) })
      this.pm.inactivate(peerId, 'incompatible peermesh protocol version')
      void this.closeAll(link)
      return
    }
    this.maybeReady(link)
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** A newcomer we held in grace takes the slot a dropped neighbour left. */
  private promote (peerId: string): void {
    const link = this.links.get(peerId)
    if (link == null || link.managed || !this.policy.promote(peerId)) return
    this.counters.inboundAccepted++
    link.managed = true
    this.log.info('connected', { peer: peerId, direction: link.direction, transport: link.transport, promoted: true })
    this.maybeReady(link)
  }

  /**
   * Hangs up on an unmanaged (refused) link after `ms`, unless it became managed meanwhile. It is
   * aborted, not closed gracefully: a graceful close waits for the peer's streams and would keep
   * the grace slot taken for seconds.
   */
  private holdUntilClosed (link: LinkState, ms: number, mayExtend = false): void {
    const timer = this.clock.setTimeout(() => {
      this.graceTimers.delete(timer)
      if (this.links.get(link.peerId) !== link || link.managed) return
      const moreMs = mayExtend ? this.policy.graceExpired(link.peerId) : undefined
      if (moreMs != null) {
        this.holdUntilClosed(link, moreMs)
        return
      }
      for (const connection of [...link.connections]) connection.abort(new PeerRefusedError(`${link.peerId} refused: no free slot`))
      if (this.links.get(link.peerId) === link) {
        for (const c of [...link.connections]) this.onConnectionClose(new CustomEvent('connection:close', { detail: c }))
      }
    }, ms)
    this.graceTimers.add(timer)
  }

  /**
   * A peer that announces one of our protocol names with another major version, and none with
   * ours, is incompatible. Peers that speak no peermesh protocol at all (plain libp2p relays) are
   * fine: we simply never ask them for peers.
   */
  private isCompatible (protocols: string[]): boolean {
    for (const ours of this.options.protocols) {
      const family = ours.slice(0, ours.lastIndexOf('/') + 1)
      const theirs = protocols.filter(p => p.startsWith(family))
      if (theirs.length === 0) continue
      const major = (p: string): string => p.slice(family.length).split('.')[0] ?? ''
      if (!theirs.some(p => major(p) === major(ours))) return false
    }
    return true
  }

  private maybeReady (link: LinkState): void {
    if (link.ready || !link.managed || link.protocols == null) return
    link.ready = true
    this.log.debug('identified', { peer: link.peerId, protocols: link.protocols.length })
    this.pm.ready(link.peerId, link.protocols)
    this.policy.linkReady(link.peerId)
    this.scheduleHeartbeat(link)
    const view = this.neighbour(link.peerId)
    if (view != null) for (const listener of this.listeners) listener.onReady?.(view)
    this.changed()
  }

  /** Keeps one connection per pair: closes every connection but the preferred one. */
  private reconcile (link: LinkState): void {
    let best: Connection | undefined
    for (const connection of link.connections) {
      best = best == null ? connection : preferredConnection(best, connection, this.selfId)
    }
    if (best == null) return
    const changed = link.primary !== best
    link.primary = best
    link.transport = transportOf(best.remoteAddr)
    if (link.transport === 'webrtc') this.directFailures.delete(link.peerId)
    link.direction = best.direction
    link.limited = isLimited(best)
    for (const connection of link.connections) {
      if (connection === best) continue
      // a relayed connection is kept while it is the only one; once a direct one exists it goes
      this.counters.duplicateConnectionsClosed++
      this.log.debug('closing duplicate connection', { peer: link.peerId, transport: transportOf(connection.remoteAddr), direction: connection.direction })
      void connection.close().catch(err => { connection.abort(err instanceof Error ? err : new Error(String(err))) })
    }
    if (changed && link.ready) {
      const view = this.neighbour(link.peerId)
      if (view != null) for (const listener of this.listeners) listener.onPrimaryChange?.(view)
    }
  }

  private async closeAll (link: LinkState): Promise<void> {
    await Promise.allSettled([...link.connections].map(async c => { await c.close() }))
    // if libp2p already dropped them, make sure our state follows
    if (this.links.get(link.peerId) === link && [...link.connections].every(c => c.status !== 'open')) {
      for (const c of [...link.connections]) this.onConnectionClose(new CustomEvent('connection:close', { detail: c }))
    }
  }

  private scheduleHeartbeat (link: LinkState): void {
    link.heartbeat?.cancel()
    link.heartbeat = this.clock.setTimeout(() => { void this.heartbeat(link) }, this.policy.heartbeatDelayMs())
  }

  private async heartbeat (link: LinkState): Promise<void> {
    if (this.links.get(link.peerId) !== link || this.controller == null) return
    const timeout = new AbortController()
    const timer = this.clock.setTimeout(() => { timeout.abort(new Error('heartbeat timed out')) }, this.policy.heartbeatTimeoutMs(link.rttMs))
    try {
      const rtt = await this.libp2p.services.ping.ping(link.primary.remotePeer as PeerId, { signal: timeout.signal })
      link.rttMs = link.rttMs == null ? rtt : Math.round(0.7 * link.rttMs + 0.3 * rtt)
      this.policy.heartbeatSucceeded(link.peerId)
      this.changed()
    } catch (err) {
      if (this.links.get(link.peerId) !== link) return
      const verdict = this.policy.heartbeatFailed(link.peerId)
      this.log.debug('heartbeat missed', { peer: link.peerId, missed: this.policy.missedHeartbeats(link.peerId), error: errorText(err) })
      if (verdict === 'dead') {
        this.log.info('peer stopped answering heartbeats', { peer: link.peerId })
        return
      }
    } finally {
      timer.cancel()
    }
    if (this.links.get(link.peerId) === link) this.scheduleHeartbeat(link)
  }

  private scheduleMaintenance (): void {
    if (this.options.maintenanceIntervalMs === 0 || this.controller == null) return
    this.maintenanceTimer = this.clock.setTimeout(() => {
      this.maintenanceTimer = undefined
      if (this.controller == null) return
      const victim = this.policy.maintain()
      if (victim != null) this.log.info('rewiring: dropping a redundant neighbour to make room for a newcomer', { peer: victim })
      this.scheduleMaintenance()
    }, this.policy.maintenanceDelayMs())
  }

  private changed (): void {
    for (const listener of this.listeners) listener.onChange?.()
  }
}

/** Why we aborted the connections of a peer that said goodbye. */
export class PeerLeftError extends Error {
  override name = 'PeerLeftError'
}

/** Why we aborted a connection we held open only for peer exchange (we are full). */
export class PeerRefusedError extends Error {
  override name = 'PeerRefusedError'
}

/** Why we aborted a connection while stopping. */
export class NodeStoppingError extends Error {
  override name = 'NodeStoppingError'
}

export class DialTimeoutError extends Error {
  override name = 'DialTimeoutError'
}

/** An error on one line with its name, message, code and cause chain (the logger's {@link logText}). */
function errorText (err: unknown): string {
  return logText(err)
}
