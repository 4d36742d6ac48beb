/**
 * `createPeerMeshNode(init)`: a complete peermesh node, the same API in Node.js and browsers.
 *
 * It composes the layers (docs/ARCHITECTURE.md): the PeerManager (no I/O) with its peer store,
 * a libp2p node with our transports, the MeshRouter that drives both, peer exchange, the
 * broadcast channel and topology sharing, and metrics. Runtime differences stay in the
 * `*.node.ts` / `*.browser.ts` modules it imports (libp2p transports, the Node shims).
 *
 * @example
 * ```ts
 * const node = await createPeerMeshNode({ role: 'browser', bootstrap: ['ws://12D3KooW…@127.0.0.1:4001'] })
 * node.addEventListener('broadcast:message', e => console.log(e.detail.from, e.detail.text))
 * await node.start()
 * await node.broadcast('hello mesh')
 * ```
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter, type AbortOptions, type IdentifyResult, type Libp2p, type PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js'
import { raceAbort } from '../abort.js'
import { silentLogger, type Logger } from '../logger.js'
import { nodeAddressFromMultiaddr, parseNodeAddress, type NodeAddress } from '../address/index.js'
import {
  browserPeerManagerOptions,
  createPeerManagerOptions,
  defaultPeerManagerOptions,
  misbehaviourPoints,
  openPeerManager,
  relayPeerManagerOptions,
  type PeerManager,
  type PeerManagerOptions
} from '../peer-manager/index.js'
import { createMemoryPeerStore } from '../store/memory-peer-store.js'
import { NodeStoppedError } from './errors.js'
import type { PeerStore } from '../store/peer-store.js'
import { createLibp2pNode } from '../libp2p/create-libp2p.node.js'
import type { IceServersSource, Libp2pNodeServices, WebRtcDirectCertificateInit } from '../libp2p/init.js'
import type { WebSocketTlsInit } from '../libp2p/tls.js'
import { MeshRouter, type MeshRouterOptions } from '../router/router.js'
import { MeshTopology, type MeshTopologyOptions } from '../topology/mesh-topology.js'
import { createSlotHint } from '../topology/slot-hint.js'
import { BroadcastChannel } from '../broadcast/broadcast-channel.js'
import { registerMeshMetrics, registerRelayReservationMetrics } from './mesh-metrics.js'
import { relayReservations, releaseReservationsOnDisconnect, type RelayReservations, type RelayReservationsOptions } from '../relay-reservations/index.js'
import { MeshSessions, SESSION_PROTOCOL, SESSION_VERSION } from '../session/mesh-sessions.js'
import { peerExchange, peerManagerBook, PEX_PROTOCOL, type PeerExchange, type PeerExchangeOptions } from '../pex/index.js'
import type { BroadcastMessage, NodeLogEvent, PeerMeshNode, PeerMeshNodeEvents, PeerRole, PeerView, TopologyGraph } from './types.js'

/** Shortest spacing of two `peers:change` events; changes in between are coalesced. */
const PEERS_CHANGE_INTERVAL_MS = 100
/** Changes of the mesh graph within this window are coalesced into one `topology:change`. */
const TOPOLOGY_CHANGE_INTERVAL_MS = 100

export interface PeerMeshNodeInit {
  /** What this node is: a relay (Node only), a plain Node member, or a browser tab. @default 'node' */
  role?: PeerRole
  /** The node's identity. @default a new Ed25519 key (a new identity every start) */
  privateKey?: PrivateKey
  /** Where known peers, scores and bans persist; the node closes it on `stop()`. @default an in-memory store */
  peerStore?: PeerStore
  /** Peers to start from (NodeAddress URLs or multiaddrs); they are kept as persistent peers. @default [] */
  bootstrap?: string[]
  /**
   * Multiaddrs to listen on. Members need no `/p2p-circuit` entry: the relay reservations service
   * listens on each relay it reserves on. A `/p2p-circuit` entry given here adds one reservation
   * chosen by libp2p's own relay discovery on top (docs/ARCHITECTURE.md, "Relay reservations").
   * @default by role: relay `/ip4/127.0.0.1/tcp/0/ws`; others `/webrtc`
   */
  listen?: string[]
  /** Multiaddrs to announce instead of the listen addresses (public addresses behind NAT). @default [] */
  announce?: string[]
  /** ICE servers for WebRTC, or a function asked before each peer connection (fresh TURN credentials). @default [] (host candidates only; never a public STUN server) */
  iceServers?: IceServersSource
  /** TLS for `/tls/ws` listen addresses (relay): PEM certificate and key; renew with `libp2p.services.tls.renew()`. @default undefined */
  webSocketTls?: WebSocketTlsInit
  /** The certificate of `/udp/<port>/webrtc-direct` listen addresses, kept so the certhash survives restarts (relay). @default undefined (new at every start) */
  webRtcDirectCertificate?: WebRtcDirectCertificateInit
  /** Allow dialing `ws://` addresses. @default true */
  allowInsecureWebSockets?: boolean
  /** Allow dialing private and loopback addresses. @default true */
  allowPrivateAddresses?: boolean
  /** Add the in-process memory transport (tests). @default false */
  memory?: boolean
  /** PeerManager options over the role's preset (`relayPeerManagerOptions`, `browserPeerManagerOptions`, defaults for 'node'); the rest is derived to fit them (`createPeerManagerOptions`). */
  peerManager?: Partial<PeerManagerOptions>
  /** Relay role: circuit-relay reservations we grant. @default 128 */
  maxReservations?: number
  /**
   * Member roles: reservations we keep on relays (bootstrap relays first), renewed when a relay
   * comes back after a restart. Ignored for `role: 'relay'`: relays never reserve on other relays.
   * @default `defaultRelayReservationsOptions` (`targetRelays: 2`)
   */
  relayReservations?: Partial<RelayReservationsOptions>
  router?: Partial<MeshRouterOptions>
  /** Peer exchange options (limits, request intervals). */
  pex?: Partial<PeerExchangeOptions>
  topology?: Partial<MeshTopologyOptions>
  /** A libp2p metrics factory (e.g. `prometheusMetrics()` in Node). */
  metrics?: Libp2pOptions['metrics']
  logger?: Logger
  clock?: Clock
  random?: Random
}

class PeerMeshNodeImpl extends TypedEventEmitter<PeerMeshNodeEvents> implements PeerMeshNode {
  readonly peerId: string
  readonly role: PeerRole
  readonly libp2p: Libp2p<Libp2pNodeServices>
  readonly peerManager: PeerManager
  readonly relayReservations: RelayReservations
  readonly router: MeshRouter
  readonly meshTopology: MeshTopology
  readonly broadcastChannel: BroadcastChannel
  readonly sessions: MeshSessions
  private readonly store: PeerStore
  private readonly clock: Clock
  private readonly log: Logger
  private readonly detach: Array<() => void>
  private lifecycle: 'created' | 'started' | 'stopped' = 'created'
  private stopping?: Promise<void>
  private peersTimer?: ReturnType<Clock['setTimeout']>
  private topologyTimer?: ReturnType<Clock['setTimeout']>
  private lastPeersChangeAt = -Infinity
  private lastAddresses = ''

  constructor (parts: {
    role: PeerRole
    libp2p: Libp2p<Libp2pNodeServices & { relayReservations: RelayReservations }>
    peerManager: PeerManager
    router: MeshRouter
    topology: MeshTopology
    broadcast: BroadcastChannel
    sessions: MeshSessions
    store: PeerStore
    clock: Clock
    logger: Logger
    /** Removes the listeners assembly put on libp2p (run once the node has stopped). */
    detach: Array<() => void>
  }) {
    super()
    this.detach = parts.detach
    this.role = parts.role
    this.libp2p = parts.libp2p
    this.peerId = parts.libp2p.peerId.toString()
    this.peerManager = parts.peerManager
    this.relayReservations = parts.libp2p.services.relayReservations
    this.router = parts.router
    this.meshTopology = parts.topology
    this.broadcastChannel = parts.broadcast
    this.sessions = parts.sessions
    this.store = parts.store
    this.clock = parts.clock
    this.log = parts.logger
  }

  /**
   * Starts the node; again while started, nothing. An aborted `signal` (before or while it
   * starts) stops the node and rejects with the signal's reason.
   *
   * @throws {NodeStoppedError} after `stop()`: create a new node instead
   */
  async start (options: AbortOptions = {}): Promise<void> {
    if (this.lifecycle === 'stopped') throw new NodeStoppedError()
    if (this.lifecycle === 'started') return
    const { signal } = options
    const aborted = (): boolean => signal?.aborted === true
    if (aborted()) {
      await this.stop()
      throw signal?.reason
    }
    this.lifecycle = 'started'
    this.libp2p.addEventListener('self:peer:update', this.onSelfUpdate)
    await this.libp2p.start()
    await this.sessions.start()
    this.onSelfUpdate()
    this.router.listen({
      onChange: () => {
        this.meshTopology.neighboursChanged()
        this.schedulePeersChange()
      },
      onGone: (peerId) => { this.meshTopology.forget(peerId) }
    })
    this.meshTopology.onChange(() => { this.scheduleTopologyChange() })
    this.broadcastChannel.onMessage((message: BroadcastMessage) => { this.safeDispatch('broadcast:message', message) })
    this.router.start()
    this.meshTopology.start()
    this.broadcastChannel.start()
    this.emitLog('info', 'node started', { peerId: this.peerId, role: this.role })
    // the steps above are quick and leave nothing half-done, so an abort is honoured once they ran
    if (aborted()) {
      await this.stop()
      throw signal?.reason
    }
  }

  /**
   * Stops the node for good: says goodbye, closes the connections, flushes and closes the peer
   * manager and the store (also for a node that was never started). Calls while it stops share
   * the one stop; later calls do nothing. Once `signal` aborts the call rejects with its reason;
   * the stop carries on (a later `stop()` waits for it).
   */
  async stop (options: AbortOptions = {}): Promise<void> {
    this.stopping ??= this.lifecycle === 'started' ? this.stopRunning() : this.closeStore()
    this.lifecycle = 'stopped'
    await raceAbort(this.stopping, options.signal)
  }

  private async closeStore (): Promise<void> {
    await this.peerManager.flush()
    await this.peerManager.close()
    await this.store.close()
  }

  private async stopRunning (): Promise<void> {
    this.peersTimer?.cancel()
    this.topologyTimer?.cancel()
    this.topologyTimer = undefined
    this.libp2p.removeEventListener('self:peer:update', this.onSelfUpdate)
    // Tell neighbours we are leaving, so they drop us at once instead of waiting for a timeout.
    // Synchronous on purpose: from a page's `pagehide`, nothing after the first await may run.
    this.sessions.goodbyeNow('shutdown')
    this.router.abortConnections(peerId => this.sessions.has(peerId))
    await this.sessions.drain()
    await this.sessions.stop()
    this.meshTopology.stop()
    this.broadcastChannel.stop()
    await this.router.stop()
    await this.libp2p.stop()
    for (const remove of this.detach) remove()
    await this.closeStore()
    this.emitLog('info', 'node stopped', { peerId: this.peerId })
  }

  addresses (): string[] {
    return selfAddresses(this.libp2p).map(a => a.toString())
  }

  peers (): PeerView[] {
    const rows = new Map<string, PeerView>()
    for (const info of this.peerManager.peers()) {
      rows.set(info.peerId, {
        peerId: info.peerId,
        state: info.state,
        addresses: info.addresses,
        score: info.score,
        ...(info.until != null ? { until: info.until } : {})
      })
    }
    for (const row of rows.values()) {
      const failure = this.router.directFailure(row.peerId)
      if (failure != null) row.directFailure = { ...failure }
    }
    for (const link of this.router.neighbours()) {
      const row = rows.get(link.peerId)
      rows.set(link.peerId, {
        peerId: link.peerId,
        state: 'connected',
        addresses: row?.addresses ?? [],
        score: row?.score ?? 0,
        transport: link.transport,
        direction: link.direction,
        connectedSince: link.connectedSince,
        ...(link.rttMs != null ? { rttMs: link.rttMs } : {}),
        ...(row?.directFailure != null && link.transport !== 'webrtc' ? { directFailure: row.directFailure } : {})
      })
    }
    return [...rows.values()]
  }

  topology (): TopologyGraph {
    return this.meshTopology.graph()
  }

  async broadcast (text: string, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    await raceAbort(this.broadcastChannel.send(text), options.signal)
  }

  addPeer (address: string): void {
    const parsed = parseNodeAddress(address)
    this.peerManager.add(parsed, { source: 'config' })
  }

  async flush (options: AbortOptions = {}): Promise<void> {
    await raceAbort(this.peerManager.flush(), options.signal)
  }

  private readonly onSelfUpdate = (): void => {
    const addresses = selfAddresses(this.libp2p)
    this.peerManager.setSelfAddresses(addresses)
    const key = addresses.map(a => a.toString()).join(' ')
    if (key !== this.lastAddresses) {
      this.lastAddresses = key
      this.safeDispatch('addresses:change', addresses.map(a => a.toString()))
    }
  }

  /**
   * At most one `peers:change` per 100 ms: the first change after a quiet spell goes out on the
   * next turn of the event loop (so the page shows a new connection at once), later ones in the
   * same 100 ms are coalesced into one at its end.
   */
  private schedulePeersChange (): void {
    if (this.peersTimer != null) return
    const waitMs = Math.max(0, this.lastPeersChangeAt + PEERS_CHANGE_INTERVAL_MS - this.clock.now())
    this.peersTimer = this.clock.setTimeout(() => {
      this.peersTimer = undefined
      this.lastPeersChangeAt = this.clock.now()
      this.safeDispatch('peers:change', this.peers())
    }, waitMs)
  }

  /**
   * At most one `topology:change` per {@link TOPOLOGY_CHANGE_INTERVAL_MS}, and the graph is built
   * only when someone listens: every node receives every node's announcements, so building the
   * whole graph on each would cost O(N²) per round across the mesh.
   */
  private scheduleTopologyChange (): void {
    if (this.topologyTimer != null || this.listenerCount('topology:change') === 0) return
    this.topologyTimer = this.clock.setTimeout(() => {
      this.topologyTimer = undefined
      if (this.listenerCount('topology:change') > 0) this.safeDispatch('topology:change', this.topology())
    }, TOPOLOGY_CHANGE_INTERVAL_MS)
  }

  private emitLog (level: NodeLogEvent['level'], message: string, fields?: Record<string, unknown>): void {
    this.log[level](message, fields)
    this.safeDispatch('log', { level, message, ...(fields != null ? { fields } : {}), at: this.clock.now() })
  }

  /** An app listener that throws must never break the node. */
  private safeDispatch<K extends keyof PeerMeshNodeEvents> (type: K, detail: PeerMeshNodeEvents[K]['detail']): void {
    try {
      this.safeDispatchEvent(type, { detail } as never)
    } catch (err) {
      this.log.warn('event listener threw', { event: type, error: err instanceof Error ? err.message : String(err) })
    }
  }
}

/**
 * Our own dialable addresses as NodeAddresses: direct ones (ws, wss, tcp, webrtc-direct) and
 * relayed WebRTC ones (one per relay reservation). Plain circuit addresses are left out so that
 * peers always dial WebRTC through the relay rather than a limited relayed connection.
 */
export function selfAddresses (libp2p: Libp2p): NodeAddress[] {
  const out: NodeAddress[] = []
  const seen = new Set<string>()
  for (const ma of libp2p.getMultiaddrs()) {
    let address: NodeAddress
    try {
      address = nodeAddressFromMultiaddr(ma)
    } catch {
      continue
    }
    if (address.protocol === 'circuit') continue
    const key = address.toString()
    if (seen.has(key)) continue
    seen.add(key)
    out.push(address)
  }
  return out
}

/**
 * What members (browser tabs, `role: 'node'`) listen on by default: WebRTC only. Their relayed
 * addresses come from the relay reservations service, which listens on `/p2p/<relay>/p2p-circuit`
 * for each relay it reserves on.
 */
const MEMBER_LISTEN: readonly string[] = Object.freeze(['/webrtc'])

/** Addresses read from one identify result, at most. */
const MAX_IDENTIFY_ADDRESSES = 8

/**
 * Adds the dialable addresses a connected peer announces in identify to the PeerManager, with the
 * trust of gossip (the caps and private-address rules of peer exchange apply). Plain circuit
 * addresses are skipped, as in `selfAddresses`: peers reach each other over WebRTC.
 */
function learnAddressesFromIdentify (libp2p: Libp2p, peerManager: PeerManager): () => void {
  const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const peerId = event.detail.peerId.toString()
    for (const ma of event.detail.listenAddrs.slice(0, MAX_IDENTIFY_ADDRESSES)) {
      let address: NodeAddress
      try {
        address = nodeAddressFromMultiaddr(ma.toString().endsWith(`/p2p/${peerId}`) ? ma : ma.encapsulate(`/p2p/${peerId}`))
      } catch {
        continue
      }
      if (address.peerId !== peerId || address.protocol === 'circuit') continue
      try {
        peerManager.add(address, { source: 'gossip' })
      } catch {
        // refused (our own, banned or invalid peer): nothing to learn
      }
    }
  }
  libp2p.addEventListener('peer:identify', onIdentify)
  return () => { libp2p.removeEventListener('peer:identify', onIdentify) }
}

function presetFor (role: PeerRole): PeerManagerOptions {
  if (role === 'relay') return relayPeerManagerOptions
  if (role === 'browser') return browserPeerManagerOptions
  return defaultPeerManagerOptions
}

/** Creates (but does not start) a peermesh node. */
export async function createPeerMeshNode (init: PeerMeshNodeInit = {}): Promise<PeerMeshNode & {
  readonly peerManager: PeerManager
  readonly router: MeshRouter
  readonly relayReservations: RelayReservations
}> {
  const role = init.role ?? 'node'
  const clock = init.clock ?? systemClock
  const random = init.random ?? systemRandom
  const logger = init.logger ?? silentLogger
  const privateKey = init.privateKey ?? await generateKeyPair('Ed25519')
  const selfId = peerIdFromPrivateKey(privateKey).toString()
  const bootstrap = (init.bootstrap ?? []).map(text => parseNodeAddress(text))
  const store = init.peerStore ?? createMemoryPeerStore()
  const peerManagerOptions = createPeerManagerOptions(init.peerManager, presetFor(role))
  const peerManager = await openPeerManager({
    selfId,
    store,
    options: peerManagerOptions,
    persistentPeers: bootstrap,
    clock,
    random,
    logger
  })
  // filled in once the topology exists; read only at run time
  const shared: { graph?: () => TopologyGraph, answered?: (peerId: string) => void } = {}
  const libp2p = await createLibp2pNode({
    privateKey,
    role,
    // one logger: our services (peer exchange, relay reservations) log through it too
    logger,
    // one heartbeat: the router's, which tolerates a stall (libp2p's monitor aborts on one failed ping)
    connectionMonitor: false,
    ...(init.listen != null ? { listen: init.listen } : role !== 'relay' ? { listen: [...MEMBER_LISTEN] } : {}),
    ...(init.announce != null ? { announce: init.announce } : {}),
    ...(init.iceServers != null ? { iceServers: init.iceServers } : {}),
    ...(init.webSocketTls != null ? { webSocketTls: init.webSocketTls } : {}),
    ...(init.webRtcDirectCertificate != null ? { webRtcDirectCertificate: init.webRtcDirectCertificate } : {}),
    ...(init.allowInsecureWebSockets != null ? { allowInsecureWebSockets: init.allowInsecureWebSockets } : {}),
    ...(init.allowPrivateAddresses != null ? { allowPrivateAddresses: init.allowPrivateAddresses } : {}),
    ...(init.memory != null ? { memory: init.memory } : {}),
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
    ...(role === 'relay' ? { relayServer: { ...(init.maxReservations != null ? { maxReservations: init.maxReservations } : {}) } } : {}),
    services: {
      pex: peerExchange({
        ...init.pex,
        book: peerManagerBook(peerManager, { maxPeers: peerManagerOptions.maxPeers, minConnectedFloor: role === 'relay' ? 0 : peerManagerOptions.minConnected }),
        reporter: peerManager,
        // answers put peers with free slots first (from the shared topology)
        slotHint: createSlotHint(() => shared.graph?.(), peerManagerOptions, clock),
        onAnswered: (peerId) => { shared.answered?.(peerId) },
        clock,
        random
      }),
      // relays never reserve on other relays (they learn about each other through peer exchange)
      relayReservations: relayReservations({
        ...init.relayReservations,
        ...(role === 'relay' ? { targetRelays: 0 } : {}),
        preferredRelays: bootstrap.map(address => address.peerId),
        clock,
        random
      })
    },
    connectionGater: {
      // banned and inactive peers are never dialed nor accepted; a full node still admits a few
      // newcomers for a moment (the router's grace), so they can ask it for peers
      denyDialPeer: (peerId) => !peerManager.canAccept(peerId.toString()),
      denyInboundConnection: () => !admitAnyInbound(),
      denyInboundEncryptedConnection: (peerId) => !admitInbound(peerId.toString())
    }
  })
  // until the router exists, the PeerManager alone decides
  let admitInbound = (peerId: string): boolean => peerManager.canAccept(peerId)
  let admitAnyInbound = (): boolean => true
  // the router says goodbye through the sessions, and a goodbye received drops the peer in the router
  const router: MeshRouter = new MeshRouter({
    libp2p,
    peerManager,
    clock,
    random,
    logger,
    limits: { minConnected: peerManagerOptions.minConnected, maxConnected: peerManagerOptions.maxConnected },
    topology: () => shared.graph?.(),
    farewell: async (peerId, reason) => { await sessions.goodbye(peerId, reason) }
  }, { protocols: [PEX_PROTOCOL, SESSION_PROTOCOL], ...init.router })
  admitInbound = (peerId) => router.admitInbound(peerId)
  admitAnyInbound = () => router.admitAnyInbound()
  shared.answered = (peerId) => { router.peerExchangeAnswered(peerId) }
  const sessions = new MeshSessions({
    libp2p,
    role,
    clock,
    logger,
    events: {
      onGoodbye: (peerId) => { router.dropPeer(peerId) },
      onSessionEnded: (peerId, connection) => {
        // only when it ended on the one open connection we have to that peer: a duplicate or a
        // replaced connection being closed ends its streams too
        const link = router.neighbour(peerId)
        const others = libp2p.getConnections(connection.remotePeer).filter(c => c !== connection && c.status === 'open')
        if (link?.primary === connection && others.length === 0) router.dropPeer(peerId)
      },
      onHello: (peerId, hello) => {
        if (hello.version !== SESSION_VERSION) {
          peerManager.inactivate(peerId, `session protocol version ${hello.version}`)
          router.dropPeer(peerId)
        }
      },
      onMisbehaviour: (peerId, reason) => { peerManager.misbehaved(peerId, misbehaviourPoints.invalidMessage, reason) }
    }
  })
  router.listen({
    onReady: (link) => { if (link.protocols?.includes(SESSION_PROTOCOL) === true) sessions.open(link.primary) },
    // the session follows the connection both sides keep (relayed → direct, stale → new)
    onPrimaryChange: (link) => {
      if (link.protocols?.includes(SESSION_PROTOCOL) !== true) return
      sessions.move(link.primary)
    },
    onGone: (peerId) => { sessions.close(peerId) }
  })
  const pex: PeerExchange = libp2p.services.pex
  router.listen({
    // ask every ready neighbour that speaks PEX for addresses, at the adaptive interval
    onReady: (link) => { if (link.protocols?.includes(PEX_PROTOCOL) === true) pex.startRequesting(link.primary.remotePeer) },
    onGone: (peerId) => { pex.stopRequesting(peerIdFromString(peerId)) }
  })
  // A member's relayed WebRTC address exists only once its reservation is made, usually after its
  // relay already asked it for peers; identify (and identify-push, sent when addresses change)
  // tells the relay at once, so peer exchange can hand the address to the other members.
  const detach: Array<() => void> = [learnAddressesFromIdentify(libp2p, peerManager)]
  const neighbours = (): Array<{ peerId: string, transport: ReturnType<MeshRouter['neighbours']>[number]['transport'], direction: 'inbound' | 'outbound', rttMs?: number }> =>
    router.neighbours().map(n => ({ peerId: n.peerId, transport: n.transport, direction: n.direction, ...(n.rttMs != null ? { rttMs: n.rttMs } : {}) }))
  const topology = new MeshTopology({ pubsub: libp2p.services.pubsub, selfId, role, neighbours, clock, random, logger }, init.topology)
  shared.graph = () => topology.graph()
  const broadcast = new BroadcastChannel({ pubsub: libp2p.services.pubsub, selfId, clock })
  if (libp2p.metrics != null) registerRelayReservationMetrics(libp2p.metrics, libp2p.services.relayReservations)
  // a relay frees a client's reservation when the client disconnects (libp2p keeps it for its TTL)
  if (libp2p.services.relay != null) {
    const release = releaseReservationsOnDisconnect({ events: libp2p, getConnections: (peer) => libp2p.getConnections(peer), relay: libp2p.services.relay })
    detach.push(() => { release.close() })
  }
  if (libp2p.metrics != null) registerMeshMetrics(libp2p.metrics, { peerManager, router, pex, topology, broadcast, sessions })
  return new PeerMeshNodeImpl({ role, libp2p, peerManager, router, topology, broadcast, sessions, store, clock, logger, detach })
}
