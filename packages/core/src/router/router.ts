/**
 * The router owns all connection I/O and drives the PeerManager, which does none.
 *
 * Loops (each one a plain async loop over the manager's synchronous core):
 * - dial loop: `dialSlots.acquire` → `peerManager.dialNext()` → pace → `libp2p.dial()` →
 *   `dialed()` or `dialFailed()`;
 * - eviction loop: `peerManager.evictNext()` → `libp2p.hangUp()`;
 * - heartbeats: one timer per connected peer, `ping` with a timeout that adapts to the link's
 *   RTT; `maxMissedHeartbeats` misses in a row report the peer `errored` (evicted).
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
import { silentLogger, type Logger } from '../logger.js'
import type { NodeAddress } from '../address/index.js'
import { ConnectionLimitError, type PeerManager } from '../peer-manager/index.js'
import type { PeerTransport } from '../node/types.js'
import { DialSlots } from './dial-slots.js'
import { isLimited, preferredConnection, transportOf } from './connection-kind.js'

/** The protocol family every peermesh node speaks; its major version must match ours. */
export const PEERMESH_PROTOCOL_PREFIX = '/peermesh/'

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
  /** Heartbeats missed in a row before the peer is reported dead. @default 3 */
  maxMissedHeartbeats: number
  /**
   * A connection refused because we are full stays open this long before we close it, so the
   * newcomer can still ask us for addresses (peer exchange) and find somebody else: a full
   * bootstrap node keeps helping the mesh grow instead of being a dead end. 0 closes at once.
   * @default 3000
   */
  refusedConnectionGraceMs: number
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
  refusedConnectionGraceMs: 3000,
  protocols: []
}

export class InvalidMeshRouterOptionsError extends Error {
  override name = 'InvalidMeshRouterOptionsError'
}

export function createMeshRouterOptions (partial: Partial<MeshRouterOptions> = {}): MeshRouterOptions {
  const options = { ...defaultMeshRouterOptions, ...partial }
  validateMeshRouterOptions(options)
  return options
}

export function validateMeshRouterOptions (o: MeshRouterOptions): void {
  const problems: string[] = []
  if (!Number.isInteger(o.dialConcurrency) || o.dialConcurrency < 1) problems.push('dialConcurrency must be an integer ≥ 1')
  for (const key of ['dialPacingMs', 'dialTimeoutMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'refusedConnectionGraceMs'] as const) {
    if (!Number.isFinite(o[key]) || o[key] < 0) problems.push(`${key} must be a number ≥ 0`)
  }
  if (o.dialTimeoutMs === 0) problems.push('dialTimeoutMs must be > 0')
  if (!Number.isInteger(o.maxMissedHeartbeats) || o.maxMissedHeartbeats < 1) problems.push('maxMissedHeartbeats must be an integer ≥ 1')
  if (problems.length > 0) throw new InvalidMeshRouterOptionsError(problems.join('; '))
}

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
  missedHeartbeats: number
  heartbeat?: TimerHandle
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
}

export class MeshRouter {
  private readonly libp2p: Libp2p<{ ping: Ping }>
  private readonly pm: PeerManager
  private readonly farewell?: MeshRouterComponents['farewell']
  private readonly clock: Clock
  private readonly random: Random
  private readonly log: Logger
  private readonly options: MeshRouterOptions
  private readonly selfId: string
  private readonly links = new Map<string, LinkState>()
  /**
   * Peers whose last direct WebRTC dial (`/p2p-circuit/webrtc`, signalled through a relay) failed,
   * with when and why: ICE found no working pair (e.g. a symmetric NAT without TURN) or the dial
   * timed out. Cleared once a direct WebRTC link to the peer is up; at most
   * {@link MAX_DIRECT_FAILURES} are kept (the oldest goes first).
   */
  private readonly directFailures = new Map<string, DirectDialFailure>()
  /** Peers our dial loop is dialing right now (their outbound connection is reported by `dialed`). */
  private readonly dialing = new Set<string>()
  private readonly slots: DialSlots
  private readonly listeners: MeshRouterEvents[] = []
  private controller?: AbortController
  private loops: Array<Promise<void>> = []
  private lastDialStartAt = 0
  readonly stats: MeshRouterStats = {
    dialsStarted: 0,
    dialsSucceeded: 0,
    dialsFailed: 0,
    dialsTimedOut: 0,
    inboundAccepted: 0,
    inboundRejected: 0,
    duplicateConnectionsClosed: 0,
    evictions: 0,
    heartbeatFailures: 0,
    deadPeers: 0,
    incompatiblePeers: 0
  }

  constructor (components: MeshRouterComponents, options: Partial<MeshRouterOptions> = {}) {
    this.libp2p = components.libp2p
    this.pm = components.peerManager
    this.farewell = components.farewell
    this.clock = components.clock ?? systemClock
    this.random = components.random ?? systemRandom
    this.log = components.logger ?? silentLogger
    this.options = createMeshRouterOptions(options)
    this.selfId = this.libp2p.peerId.toString()
    this.slots = new DialSlots(this.options.dialConcurrency)
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
    return [...this.links.values()].filter(link => link.managed).map(({ connections: _c, missedHeartbeats: _m, heartbeat: _h, ...link }) => link)
  }

  neighbour (peerId: string): NeighbourLink | undefined {
    const link = this.links.get(peerId)
    if (link == null) return undefined
    const { connections: _c, missedHeartbeats: _m, heartbeat: _h, ...rest } = link
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
      const waitMs = this.lastDialStartAt + this.options.dialPacingMs - this.clock.now()
      if (waitMs > 0) {
        try {
          await delay(this.clock, waitMs, signal)
        } catch {
          this.pm.dialFailed(address)
          this.slots.release()
          return
        }
      }
      this.lastDialStartAt = this.clock.now()
      void this.dial(address, signal).finally(() => { this.slots.release() })
    }
  }

  private async dial (address: NodeAddress, stopSignal: AbortSignal): Promise<void> {
    const peerId = address.peerId
    this.dialing.add(peerId)
    this.stats.dialsStarted++
    const timeout = new AbortController()
    const timer = this.clock.setTimeout(() => { timeout.abort(new DialTimeoutError(`dial to ${address.toString()} timed out after ${this.options.dialTimeoutMs} ms`)) }, this.options.dialTimeoutMs)
    let connection: Connection
    try {
      connection = await this.libp2p.dial(address.toMultiaddr(), { signal: AbortSignal.any([stopSignal, timeout.signal]) })
    } catch (err) {
      this.dialing.delete(peerId)
      if (stopSignal.aborted) return
      if (timeout.signal.aborted) this.stats.dialsTimedOut++
      this.stats.dialsFailed++
      this.log.debug('dial failed', { address: address.toString(), error: errorText(err) })
      if (transportOf(address.toMultiaddr()) === 'webrtc') this.noteDirectFailure(peerId, errorText(err))
      this.pm.dialFailed(address)
      this.changed()
      return
    } finally {
      timer.cancel()
    }
    this.dialing.delete(peerId)
    const link = this.links.get(peerId)
    if (link == null || connection.status !== 'open') {
      // the connection closed again before we could report it
      this.stats.dialsFailed++
      this.pm.dialFailed(address)
      return
    }
    if (link.managed) {
      // an inbound connection from the same peer won the race (spec: the later dialed errors)
      this.pm.dialFailed(address)
      this.reconcile(link)
      return
    }
    try {
      this.pm.dialed(address)
    } catch (err) {
      this.log.debug('dialed connection refused by peer manager', { peer: peerId, error: errorText(err) })
      this.stats.dialsFailed++
      await this.closeAll(link)
      return
    }
    this.stats.dialsSucceeded++
    link.managed = true
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
      this.stats.evictions++
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
      connections: new Set([connection]),
      missedHeartbeats: 0
    }
    this.links.set(peerId, link)
    if (connection.direction === 'outbound' && this.dialing.has(peerId)) {
      // our dial loop reports it with dialed() when libp2p.dial() returns
      this.changed()
      return
    }
    try {
      this.pm.accepted(peerId)
    } catch (err) {
      this.stats.inboundRejected++
      this.log.debug('connection refused by peer manager', { peer: peerId, error: errorText(err) })
      if (err instanceof ConnectionLimitError && this.options.refusedConnectionGraceMs > 0) {
        // full: let the newcomer ask us for addresses first (the link stays unmanaged)
        this.clock.setTimeout(() => { if (this.links.get(peerId) === link && !link.managed) void this.closeAll(link) }, this.options.refusedConnectionGraceMs)
        this.changed()
        return
      }
      void this.closeAll(link)
      return
    }
    this.stats.inboundAccepted++
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
      this.stats.incompatiblePeers++
      this.log.warn('peer speaks an incompatible peermesh protocol version', { peer: peerId, protocols: result.protocols.filter(p => p.startsWith(PEERMESH_PROTOCOL_PREFIX)) })
      this.pm.inactivate(peerId, 'incompatible peermesh protocol version')
      void this.closeAll(link)
      return
    }
    this.maybeReady(link)
  }

  // ---- helpers -----------------------------------------------------------------------------------

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
      this.stats.duplicateConnectionsClosed++
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
    const jitter = 1 + (this.random() - 0.5) * 0.2
    link.heartbeat = this.clock.setTimeout(() => { void this.heartbeat(link) }, this.options.heartbeatIntervalMs * jitter)
  }

  private async heartbeat (link: LinkState): Promise<void> {
    if (this.links.get(link.peerId) !== link || this.controller == null) return
    const timeoutMs = Math.max(this.options.heartbeatTimeoutMs, 4 * (link.rttMs ?? 0))
    const timeout = new AbortController()
    const timer = this.clock.setTimeout(() => { timeout.abort(new Error('heartbeat timed out')) }, timeoutMs)
    try {
      const rtt = await this.libp2p.services.ping.ping(link.primary.remotePeer as PeerId, { signal: timeout.signal })
      link.rttMs = link.rttMs == null ? rtt : Math.round(0.7 * link.rttMs + 0.3 * rtt)
      link.missedHeartbeats = 0
      this.changed()
    } catch (err) {
      if (this.links.get(link.peerId) !== link) return
      link.missedHeartbeats++
      this.stats.heartbeatFailures++
      this.log.debug('heartbeat missed', { peer: link.peerId, missed: link.missedHeartbeats, error: errorText(err) })
      if (link.missedHeartbeats >= this.options.maxMissedHeartbeats) {
        this.stats.deadPeers++
        this.log.info('peer stopped answering heartbeats', { peer: link.peerId })
        this.pm.errored(link.peerId, 'heartbeat timeout')
        return
      }
    } finally {
      timer.cancel()
    }
    if (this.links.get(link.peerId) === link) this.scheduleHeartbeat(link)
  }

  private changed (): void {
    for (const listener of this.listeners) listener.onChange?.()
  }
}

/** Why we aborted the connections of a peer that said goodbye. */
export class PeerLeftError extends Error {
  override name = 'PeerLeftError'
}

export class DialTimeoutError extends Error {
  override name = 'DialTimeoutError'
}

function errorText (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
