/**
 * A simulated node: the production PeerManager and peer-exchange scheduler, driven the way the
 * MeshRouter and the peer exchange service drive them, over the {@link SimulatedNetwork} instead
 * of libp2p. Each method below names the router or service code it mirrors; the decisions
 * themselves (what to dial, accept, evict, ask, answer and penalise) are all taken by production
 * modules. See docs/ARCHITECTURE.md, "Mesh simulator".
 */
import { setMaxListeners } from 'node:events'
import type { PeerId } from '@libp2p/interface'
import { delay, type Random, type TimerHandle } from '../clock.js'
import type { NodeAddress } from '../address/index.js'
import { openPeerManager, type PeerManager, type PeerManagerOptions } from '../peer-manager/index.js'
import { DialSlots } from '../router/dial-slots.js'
import { RouterPolicy, createMeshRouterOptions, prefersFirstConnection, type MeshRouterOptions } from '../router/router-policy.js'
import {
  PEX_PROTOCOL, PexNotStartedError, PexPeerNotConnectedError, PexProtocolViolationError,
  PexRequestInProgressError, PexRequestScheduler, PexTimeoutError, createPeerExchangeOptions, peerManagerBook,
  type PeerExchangeOptions, type PexResult
} from '../pex/index.js'
import { PexPolicy } from '../pex/pex-policy.js'
import { startExchangeDeadline } from '../pex/exchange-deadline.js'
import type { PeerTransport, TopologyGraph } from '../vocabulary.js'
import type { SimulatedClock } from './simulated-clock.js'
import { SimulatedStreamClosedError, type ConnectionEnd, type SimulatedNetwork } from './simulated-network.js'
import { createDiscardingPeerStore } from './discarding-peer-store.js'

export type SimulatedRole = 'node' | 'relay' | 'browser'

/** The session protocol id the real node announces (sessions themselves are not simulated). */
const SESSION_PROTOCOL_ID = '/peermesh/session/1.0.0'
const PROTOCOLS = [PEX_PROTOCOL, SESSION_PROTOCOL_ID]

export interface SimulatedNodeInit {
  index: number
  peerId: string
  role: SimulatedRole
  /** Direct addresses (relays, plain nodes); browser tabs have none of their own. */
  directAddresses: NodeAddress[]
  /**
   * What identify announces besides: a real node over the memory transport also listens on
   * `/memory/<peerId>` (createLibp2pNode with `memory: true`), which peers learn and store too.
   * @default none
   */
  extraIdentifyAddresses?: NodeAddress[]
  peerManager: PeerManagerOptions
  router?: Partial<MeshRouterOptions>
  pex?: Partial<PeerExchangeOptions>
  /** Persistent peers (bootstrap), as `createPeerMeshNode` passes its `bootstrap` list. */
  bootstrap: NodeAddress[]
  /** Relays: reservations granted at most. Browser tabs: relays reserved on at most. */
  maxReservations?: number
  targetRelays?: number
  /** Builds a tab's relayed address through `relay`. */
  relayedAddress?: (relay: SimulatedNode) => NodeAddress
  clock: SimulatedClock
  random: Random
  network: SimulatedNetwork
  /** The shared topology (what topology sharing tells every node). */
  topology: () => TopologyGraph | undefined
  /** The peer exchange's slot hint over it (`createSlotHint`, shared by nodes with the same limits). */
  slotHint: (peerId: string) => number
}

interface LinkState {
  peerId: string
  primary: ConnectionEnd
  connections: Set<ConnectionEnd>
  direction: 'inbound' | 'outbound'
  managed: boolean
  ready: boolean
  identified: boolean
  connectedSince: number
  /** The address our dial reached (outbound links). */
  address?: NodeAddress
  heartbeat?: TimerHandle
  /** Heartbeats are being simulated (the link may have gone silent). */
  watching: boolean
}

export interface SimulatedNodeStats {
  dialsStarted: number
  dialsSucceeded: number
  dialsFailed: number
  dialsTimedOut: number
  inboundAccepted: number
  inboundRejected: number
  evictions: number
  heartbeatFailures: number
  deadPeers: number
  pexRequestsSent: number
  pexRequestsFailed: number
  pexResponsesReceived: number
  pexRequestsReceived: number
  pexRequestsRefused: number
  pexResponsesSent: number
  pexAddressesAdded: number
  pexPenalties: number
  /** Peer-exchange frames we sent (length prefix + protobuf, as encoded by the real codec). */
  pexBytesSent: number
  pexBytesReceived: number
}

function emptyStats (): SimulatedNodeStats {
  return {
    dialsStarted: 0,
    dialsSucceeded: 0,
    dialsFailed: 0,
    dialsTimedOut: 0,
    inboundAccepted: 0,
    inboundRejected: 0,
    evictions: 0,
    heartbeatFailures: 0,
    deadPeers: 0,
    pexRequestsSent: 0,
    pexRequestsFailed: 0,
    pexResponsesReceived: 0,
    pexRequestsReceived: 0,
    pexRequestsRefused: 0,
    pexResponsesSent: 0,
    pexAddressesAdded: 0,
    pexPenalties: 0,
    pexBytesSent: 0,
    pexBytesReceived: 0
  }
}

/** What a responder answers, as it travels back: the frame's bytes, as the real codec encoded them. */
type PexAnswer = Uint8Array

export class SimulatedNode {
  readonly index: number
  readonly peerId: string
  readonly role: SimulatedRole
  readonly peerManagerOptions: PeerManagerOptions
  readonly routerOptions: MeshRouterOptions
  readonly pexOptions: PeerExchangeOptions
  /** The router's decisions (production code). */
  policy!: RouterPolicy
  /** The peer exchange's decisions (production code). */
  pexPolicy!: PexPolicy
  readonly stats = emptyStats()
  /** Simulated time of start(), and of the first moment the node had ≥ minConnected neighbours. */
  joinedAt = 0
  leftAt: number | undefined
  running = false
  crashed = false
  pm!: PeerManager

  private readonly init: SimulatedNodeInit
  private readonly clock: SimulatedClock
  private readonly random: Random
  private readonly network: SimulatedNetwork
  private readonly links = new Map<string, LinkState>()
  private slots!: DialSlots
  private controller: AbortController | undefined
  private scheduler!: PexRequestScheduler
  private maintenanceTimer: TimerHandle | undefined
  private readonly graceTimers = new Set<TimerHandle>()
  private readonly outstanding = new Set<string>()
  /** Relays: the tabs holding a reservation here. Tabs: the relays we hold one on. */
  private readonly reservations = new Set<string>()
  private selfAddressList: NodeAddress[]
  private readonly peerIdObjects = new Map<string, PeerId>()

  constructor (init: SimulatedNodeInit) {
    this.init = init
    this.index = init.index
    this.peerId = init.peerId
    this.role = init.role
    this.clock = init.clock
    this.random = init.random
    this.network = init.network
    this.peerManagerOptions = init.peerManager
    this.pexOptions = createPeerExchangeOptions(init.pex ?? {})
    this.selfAddressList = [...init.directAddresses]
    this.routerOptions = createMeshRouterOptions({ protocols: PROTOCOLS, ...init.router })
  }

  /** Our dialable addresses (what identify announces and `advertise()` puts first). */
  selfAddresses (): readonly NodeAddress[] {
    return this.selfAddressList
  }

  /** The listen addresses identify announces (`learnAddressesFromIdentify` stores them). */
  identifyAddresses (): readonly NodeAddress[] {
    const extra = this.init.extraIdentifyAddresses
    return extra === undefined || extra.length === 0 ? this.selfAddressList : [...this.selfAddressList, ...extra]
  }

  /** Managed neighbours (the router's `neighbours()`). */
  neighbourIds (): string[] {
    const out: string[] = []
    for (const link of this.links.values()) if (link.managed) out.push(link.peerId)
    return out
  }

  /** Managed neighbours with what topology sharing publishes of them. */
  neighbourLinks (): Array<{ peerId: string, direction: 'inbound' | 'outbound', transport: PeerTransport }> {
    const transport: PeerTransport = this.role === 'browser' ? 'webrtc' : this.selfAddressList[0]?.protocol === 'memory' ? 'memory' : 'tcp'
    const out: Array<{ peerId: string, direction: 'inbound' | 'outbound', transport: PeerTransport }> = []
    for (const link of this.links.values()) if (link.managed) out.push({ peerId: link.peerId, direction: link.direction, transport })
    return out
  }

  degree (): number {
    let n = 0
    for (const link of this.links.values()) if (link.managed) n++
    return n
  }

  isConnectedTo (peerId: string): boolean {
    return this.links.get(peerId)?.managed === true
  }

  holdsReservationFor (peerId: string): boolean {
    return this.role === 'relay' && this.reservations.has(peerId)
  }

  /**
   * The connection gater `createPeerMeshNode` installs: `denyInboundConnection` → the router's
   * `admitAnyInbound` (before the handshake), then `denyInboundEncryptedConnection` → `admitInbound`.
   */
  gaterAccepts (peerId: string): boolean {
    return this.running && this.policy.admitAnyInbound() && this.policy.admitInbound(peerId)
  }

  // ---- lifecycle (PeerMeshNode.start / stop) ---------------------------------------------------

  async start (): Promise<void> {
    this.pm = await openPeerManager({
      selfId: this.peerId,
      store: createDiscardingPeerStore(),
      options: this.peerManagerOptions,
      persistentPeers: this.init.bootstrap,
      clock: this.clock,
      random: this.random,
      selfAddresses: this.selfAddressList
    })
    this.policy = new RouterPolicy({
      selfId: this.peerId,
      peerManager: this.pm,
      clock: this.clock,
      random: this.random,
      options: { protocols: PROTOCOLS, ...this.init.router },
      limits: { minConnected: this.peerManagerOptions.minConnected, maxConnected: this.peerManagerOptions.maxConnected },
      topology: this.init.topology
    })
    this.slots = new DialSlots(this.policy.dialConcurrency)
    const book = peerManagerBook(this.pm, { maxPeers: this.peerManagerOptions.maxPeers, minConnectedFloor: this.role === 'relay' ? 0 : this.peerManagerOptions.minConnected })
    this.pexPolicy = new PexPolicy({
      selfId: this.peerId,
      book,
      reporter: this.pm,
      clock: this.clock,
      options: this.pexOptions,
      slotHint: this.init.slotHint
    })
    this.scheduler = new PexRequestScheduler({
      clock: this.clock,
      random: this.random,
      book,
      options: this.pexOptions,
      request: async (peer, options) => {
        try {
          return await this.pexRequest(peer.toString(), options.signal)
        } catch (err) {
          if (err instanceof PexPeerNotConnectedError) this.scheduler.stop(peer)
          throw err
        }
      }
    })
    this.running = true
    this.joinedAt = this.clock.now()
    this.controller = new AbortController()
    const signal = this.controller.signal
    // every dial and exchange in flight listens on it (libp2p raises the same limit on its own signals)
    setMaxListeners(Infinity, signal)
    void this.dialLoop(signal)
    void this.evictLoop(signal)
    void this.banLoop(signal)
    this.scheduleMaintenance()
  }

  /**
   * Leaves the mesh. `goodbye`: as `node.stop()` does (neighbours learn at once, connections
   * close, later dials are refused). `crash`: the node just stops answering (a killed process, a
   * closed laptop); neighbours find out by missed heartbeats and timeouts.
   */
  async stop (mode: 'goodbye' | 'crash' = 'goodbye'): Promise<void> {
    if (!this.running) return
    this.leftAt = this.clock.now()
    this.maintenanceTimer?.cancel()
    for (const timer of this.graceTimers) timer.cancel()
    this.graceTimers.clear()
    if (mode === 'crash') {
      this.crashed = true
      this.running = false
      for (const link of this.links.values()) link.heartbeat?.cancel()
      this.controller?.abort(new Error('crashed'))
      this.scheduler.stopAll()
      for (const link of this.links.values()) {
        for (const end of link.connections) {
          const other = end.peerEnd().local
          if (other.running) other.linksMaybeSilent()
        }
      }
      this.links.clear()
      await this.pm.close()
      return
    }
    this.controller?.abort(new Error('node stopped'))
    this.scheduler.stopAll()
    const ends = [...this.links.values()].flatMap(link => [...link.connections])
    for (const end of ends) this.network.close(end)
    this.running = false
    await this.pm.close()
  }

  // ---- the router's loops (MeshRouter.dialLoop / evictLoop / banLoop) ---------------------------

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

  /** MeshRouter.dial */
  private async dial (address: NodeAddress, stopSignal: AbortSignal): Promise<void> {
    const peerId = address.peerId
    this.stats.dialsStarted++
    const timeout = new AbortController()
    const timer = this.clock.setTimeout(() => { timeout.abort(new Error('dial timed out')) }, this.routerOptions.dialTimeoutMs)
    let end: ConnectionEnd
    try {
      // libp2p's denyDialPeer gater, as createPeerMeshNode wires it
      if (!this.pm.canAccept(peerId)) throw new Error('denied by our own connection gater')
      end = await this.network.connect(this, address, AbortSignal.any([stopSignal, timeout.signal]))
    } catch {
      if (stopSignal.aborted) {
        this.policy.dialFinished(peerId)
        return
      }
      if (timeout.signal.aborted) this.stats.dialsTimedOut++
      this.stats.dialsFailed++
      this.policy.dialFailed(address)
      return
    } finally {
      timer.cancel()
    }
    const link = this.links.get(peerId)
    if (link === undefined || end.status !== 'open') {
      this.stats.dialsFailed++
      this.policy.dialFailed(address)
      return
    }
    const outcome = this.policy.dialSucceeded(address, link.managed)
    if (outcome === 'duplicate') {
      this.reconcile(link)
      return
    }
    if (outcome === 'refused') {
      this.stats.dialsFailed++
      this.closeAll(link)
      return
    }
    this.stats.dialsSucceeded++
    link.managed = true
    link.address = address
    this.maybeReady(link)
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
      if (link === undefined) {
        this.pm.disconnected(peerId)
        continue
      }
      // farewell (the session's Goodbye) travels with the close: the peer drops us when it arrives
      this.closeAll(link)
    }
  }

  private async banLoop (signal: AbortSignal): Promise<void> {
    const subscription = this.pm.subscribe({ bufferSize: 256 })
    signal.addEventListener('abort', () => { subscription.close() }, { once: true })
    for await (const update of subscription) {
      if (update.status === 'banned') {
        const link = this.links.get(update.peerId)
        if (link !== undefined) this.closeAll(link)
      }
    }
  }

  // ---- connection events (MeshRouter.onConnectionOpen / onConnectionClose / onIdentify) ---------

  onConnectionOpen (end: ConnectionEnd): void {
    if (!this.running) return
    const peerId = end.remote.peerId
    const existing = this.links.get(peerId)
    if (existing !== undefined) {
      existing.connections.add(end)
      this.reconcile(existing)
      this.scheduleIdentify(end)
      return
    }
    const link: LinkState = {
      peerId,
      primary: end,
      connections: new Set([end]),
      direction: end.direction,
      managed: false,
      ready: false,
      identified: false,
      connectedSince: this.clock.now(),
      watching: false
    }
    this.links.set(peerId, link)
    this.scheduleIdentify(end)
    const outcome = this.policy.connectionOpened(peerId, { direction: end.direction })
    if (outcome.kind === 'await-dial') return
    if (outcome.kind === 'grace') {
      this.stats.inboundRejected++
      this.holdUntilClosed(link, outcome.closeAfterMs, true)
      return
    }
    if (outcome.kind === 'close') {
      this.stats.inboundRejected++
      this.closeAll(link)
      return
    }
    this.stats.inboundAccepted++
    link.managed = true
    this.maybeReady(link)
  }

  onConnectionClose (end: ConnectionEnd): void {
    if (!this.running) return
    const peerId = end.remote.peerId
    const link = this.links.get(peerId)
    if (link === undefined || !link.connections.delete(end)) return
    if (link.connections.size > 0) {
      if (link.primary === end) this.reconcile(link)
      return
    }
    link.heartbeat?.cancel()
    this.links.delete(peerId)
    if (link.managed) this.pm.disconnected(peerId)
    const after = this.policy.linkClosed(peerId, { direction: link.direction, openedAt: link.connectedSince, managed: link.managed, ...(link.address !== undefined ? { address: link.address } : {}) })
    if (after.promote !== undefined) this.promote(after.promote)
    // onGone: the peer exchange stops asking; a tab's reservation on a relay ends with its connection
    this.scheduler.stop(peerId)
    this.releaseReservation(peerId)
  }

  /** MeshRouter.promote: a newcomer we held in grace takes the slot a dropped neighbour left. */
  private promote (peerId: string): void {
    const link = this.links.get(peerId)
    if (link === undefined || link.managed || !this.policy.promote(peerId)) return
    this.stats.inboundAccepted++
    link.managed = true
    this.maybeReady(link)
  }

  /** MeshRouter.holdUntilClosed: hangs up on an unmanaged (refused) link after `ms` (once more if the policy says a slot is being made). */
  private holdUntilClosed (link: LinkState, ms: number, mayExtend = false): void {
    const timer = this.clock.setTimeout(() => {
      this.graceTimers.delete(timer)
      if (this.links.get(link.peerId) !== link || link.managed) return
      const moreMs = mayExtend ? this.policy.graceExpired(link.peerId) : undefined
      if (moreMs !== undefined) {
        this.holdUntilClosed(link, moreMs)
        return
      }
      this.closeAll(link)
    }, ms)
    this.graceTimers.add(timer)
  }

  /** MeshRouter's maintenance rounds. */
  private scheduleMaintenance (): void {
    if (this.routerOptions.maintenanceIntervalMs === 0 || !this.running) return
    this.maintenanceTimer = this.clock.setTimeout(() => {
      this.maintenanceTimer = undefined
      if (!this.running) return
      this.policy.maintain()
      this.scheduleMaintenance()
    }, this.policy.maintenanceDelayMs())
  }

  /**
   * identify runs one round trip after a connection opens: the addresses the peer announces are
   * learned as gossip (`learnAddressesFromIdentify` in create-node.ts) and the router marks the
   * link ready (`MeshRouter.onIdentify`).
   */
  private scheduleIdentify (end: ConnectionEnd): void {
    const remote = end.remote
    this.clock.setTimeout(() => {
      if (!this.running || end.status !== 'open' || this.network.silent(remote, this)) return
      for (const address of remote.identifyAddresses().slice(0, 8)) {
        if (address.protocol === 'circuit') continue
        try {
          this.pm.add(address, { source: 'gossip' })
        } catch {
          // our own, banned or invalid: nothing to learn
        }
      }
      const link = this.links.get(remote.peerId)
      if (link === undefined) return
      link.identified = true
      this.maybeReady(link)
    }, 2 * this.network.latencyMs())
  }

  /** MeshRouter.maybeReady, plus the onReady listeners create-node installs. */
  private maybeReady (link: LinkState): void {
    if (link.ready || !link.managed || !link.identified) return
    link.ready = true
    this.pm.ready(link.peerId, PROTOCOLS)
    this.policy.linkReady(link.peerId)
    this.scheduler.start(this.peerIdObject(link.peerId))
    this.maybeReserve(link.peerId)
  }

  /** MeshRouter.reconcile: one connection per pair, chosen by the production tie-break. */
  private reconcile (link: LinkState): void {
    let best: ConnectionEnd | undefined
    const facts = (end: ConnectionEnd): { direction: 'inbound' | 'outbound', limited: boolean, openedAt: number } => ({ direction: end.direction, limited: false, openedAt: end.timeline.open })
    for (const end of link.connections) {
      best = best === undefined ? end : prefersFirstConnection(facts(best), facts(end), this.peerId, link.peerId) ? best : end
    }
    if (best === undefined) return
    link.primary = best
    link.direction = best.direction
    for (const end of [...link.connections]) {
      if (end !== best) this.network.close(end)
    }
  }

  private closeAll (link: LinkState): void {
    for (const end of [...link.connections]) this.network.close(end)
  }

  // ---- heartbeats (MeshRouter.heartbeat) --------------------------------------------------------

  /**
   * Some neighbour may have stopped hearing us (it crashed, or a partition began): heartbeats start
   * on every link, as the router's do all the time. A heartbeat that gets through changes no
   * decision (the miss counter is already 0), so while links are healthy none is simulated.
   */
  linksMaybeSilent (): void {
    for (const link of this.links.values()) {
      if (!link.ready || link.watching) continue
      link.watching = true
      // the last heartbeat before the silence got through
      this.policy.heartbeatSucceeded(link.peerId)
      link.heartbeat?.cancel()
      link.heartbeat = this.clock.setTimeout(() => { this.heartbeat(link) }, this.policy.heartbeatDelayMs() * this.random())
    }
  }

  /** MeshRouter.heartbeat, simulated only while a link is watched (see `linksMaybeSilent`). */
  private heartbeat (link: LinkState): void {
    link.heartbeat = undefined
    if (this.links.get(link.peerId) !== link || !this.running) return
    const remote = link.primary.remote
    const rttMs = 2 * this.network.latencyMs()
    if (!this.network.silent(this, remote) && !this.network.silent(remote, this)) {
      this.policy.heartbeatSucceeded(link.peerId)
      link.watching = false
      return
    }
    link.heartbeat = this.clock.setTimeout(() => {
      link.heartbeat = undefined
      if (this.links.get(link.peerId) !== link || !this.running) return
      this.stats.heartbeatFailures++
      if (this.policy.heartbeatFailed(link.peerId) === 'dead') {
        this.stats.deadPeers++
        return
      }
      link.heartbeat = this.clock.setTimeout(() => { this.heartbeat(link) }, this.policy.heartbeatDelayMs())
    }, this.policy.heartbeatTimeoutMs(rttMs))
  }

  // ---- peer exchange (PeerExchangeService.request / #handleStream) -----------------------------

  private peerIdObject (peerId: string): PeerId {
    let object = this.peerIdObjects.get(peerId)
    if (object === undefined) {
      object = { toString: () => peerId } as unknown as PeerId
      this.peerIdObjects.set(peerId, object)
    }
    return object
  }

  /** PeerExchangeService.request: one exchange over an existing connection. */
  private async pexRequest (remote: string, signal: AbortSignal | undefined): Promise<PexResult> {
    const shutdown = this.controller
    if (shutdown === undefined || !this.running) throw new PexNotStartedError()
    if (this.outstanding.has(remote)) throw new PexRequestInProgressError(remote)
    const link = this.links.get(remote)
    const end = link === undefined ? undefined : [...link.connections].find(c => c.status === 'open')
    if (end === undefined) throw new PexPeerNotConnectedError(remote)
    signal?.throwIfAborted()

    this.outstanding.add(remote)
    const counters = this.pexPolicy.counters
    counters.requestsSent++
    this.stats.pexRequestsSent++
    const timeoutMs = this.pexOptions.requestTimeoutMs
    const deadline = startExchangeDeadline(this.clock, timeoutMs,
      new PexTimeoutError(remote, `${remote} did not complete the peer exchange within ${timeoutMs} ms`), [signal, shutdown.signal])
    try {
      const frame = this.pexPolicy.requestFrame()
      this.stats.pexBytesSent += frame.length
      const responder = end.remote
      const bytes = await new Promise<PexAnswer>((resolve, reject) => {
        const onAbort = (): void => { reject(deadline.signal.reason) }
        deadline.signal.addEventListener('abort', onAbort, { once: true })
        const settle = (fn: () => void): void => {
          deadline.signal.removeEventListener('abort', onAbort)
          fn()
        }
        this.network.send(this, responder, () => {
          if (end.status !== 'open') {
            settle(() => { reject(new SimulatedStreamClosedError('connection closed')) })
            return
          }
          let reply: PexAnswer
          try {
            reply = responder.answerPexRequest(this.peerId, frame)
          } catch (err) {
            // the responder aborted the stream: the requester sees a reset, not a violation
            this.network.send(responder, this, () => { settle(() => { reject(new SimulatedStreamClosedError('stream reset', { cause: err })) }) }, false)
            return
          }
          this.network.send(responder, this, () => {
            if (end.status !== 'open') {
              settle(() => { reject(new SimulatedStreamClosedError('connection closed')) })
              return
            }
            settle(() => { resolve(reply) })
          })
        })
      })
      this.stats.pexBytesReceived += bytes.length
      const addresses = this.pexPolicy.parseResponse(remote, bytes)
      const result = this.pexPolicy.acceptResponse(remote, addresses)
      counters.responsesReceived++
      this.stats.pexResponsesReceived++
      this.stats.pexAddressesAdded += result.added
      return result
    } catch (err) {
      counters.requestsFailed++
      this.stats.pexRequestsFailed++
      const failure = err instanceof PexProtocolViolationError ? err : deadline.timedOut() ? deadline.signal.reason : err
      if (failure instanceof PexProtocolViolationError) {
        this.stats.pexPenalties++
        this.pexPolicy.penalise(failure)
      }
      throw failure
    } finally {
      deadline.dispose()
      this.outstanding.delete(remote)
    }
  }

  /**
   * PeerExchangeService.#handleStream, when a request arrives: the rate limit, the request's
   * validation and the answer, all by the production policy, on the real encoded frames.
   */
  answerPexRequest (remote: string, requestFrame: Uint8Array): PexAnswer {
    this.stats.pexRequestsReceived++
    this.stats.pexBytesReceived += requestFrame.length
    if (!this.running) throw new PexNotStartedError()
    const refusal = this.pexPolicy.inboundRequest(remote)
    if (refusal !== undefined) {
      this.stats.pexRequestsRefused++
      this.stats.pexPenalties++
      throw refusal
    }
    let frame: Uint8Array
    try {
      const limit = this.pexPolicy.parseRequest(remote, requestFrame)
      const addresses = this.pexPolicy.answer(remote, limit)
      frame = this.pexPolicy.responseFrame(addresses)
      this.pexPolicy.counters.responsesSent++
      this.pexPolicy.counters.addressesSent += addresses.length
    } catch (err) {
      if (err instanceof PexProtocolViolationError) {
        this.stats.pexPenalties++
        this.pexPolicy.penalise(err)
      }
      throw err
    }
    this.stats.pexResponsesSent++
    this.stats.pexBytesSent += frame.length
    // onAnswered: a newcomer held in grace only for this is hung up shortly after
    const closeAfterMs = this.policy.peerExchangeAnswered(remote)
    const link = this.links.get(remote)
    if (closeAfterMs !== undefined && link !== undefined && !link.managed) this.holdUntilClosed(link, closeAfterMs)
    return frame
  }

  // ---- relay reservations (the browser shape) ---------------------------------------------------

  /** A tab reserves on a connected relay while it holds fewer than `targetRelays`. */
  private maybeReserve (peerId: string): void {
    if (this.role !== 'browser') return
    const relay = this.network.node(peerId)
    if (relay === undefined || relay.role !== 'relay' || this.reservations.size >= (this.init.targetRelays ?? 2)) return
    this.network.send(this, relay, () => {
      if (!relay.grantReservation(this.peerId)) return
      this.network.send(relay, this, () => {
        if (!this.running || !this.isConnectedTo(relay.peerId)) {
          relay.releaseReservation(this.peerId)
          return
        }
        this.reservations.add(relay.peerId)
        this.refreshRelayedAddresses()
      }, false)
    }, false)
  }

  /** Relay side: grants while fewer than `maxReservations` are held. */
  grantReservation (peerId: string): boolean {
    if (!this.running || this.role !== 'relay' || !this.links.has(peerId)) return false
    if (this.reservations.has(peerId)) return true
    if (this.reservations.size >= (this.init.maxReservations ?? 128)) return false
    this.reservations.add(peerId)
    return true
  }

  /** Both sides: a reservation ends with the connection (`releaseReservationsOnDisconnect`). */
  releaseReservation (peerId: string): void {
    if (!this.reservations.delete(peerId)) return
    if (this.role === 'browser') this.refreshRelayedAddresses()
  }

  /** A tab's addresses are one relayed WebRTC address per reservation; identify-push tells the neighbours. */
  private refreshRelayedAddresses (): void {
    const make = this.init.relayedAddress
    if (make === undefined) return
    const list: NodeAddress[] = []
    for (const relayId of this.reservations) {
      const relay = this.network.node(relayId)
      if (relay !== undefined) list.push(make(relay))
    }
    this.selfAddressList = list
    this.pm.setSelfAddresses(list)
    for (const link of this.links.values()) {
      const remote = link.primary.remote
      this.network.send(this, remote, () => { remote.learnPushedAddresses(this) }, false)
    }
  }

  /** identify-push received: `learnAddressesFromIdentify` again. */
  learnPushedAddresses (from: SimulatedNode): void {
    if (!this.running || !this.links.has(from.peerId)) return
    for (const address of from.identifyAddresses().slice(0, 8)) {
      try {
        this.pm.add(address, { source: 'gossip' })
      } catch {
        // refused
      }
    }
  }
}
