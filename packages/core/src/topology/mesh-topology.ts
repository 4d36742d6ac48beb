/**
 * Topology sharing: every node publishes its neighbour list on a gossipsub topic when it changes
 * (debounced) and periodically; every node keeps the latest list of every publisher until it
 * expires, so any node can draw the whole mesh. Bounded everywhere: message bytes, neighbours per
 * list, publishers remembered.
 */
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js'
import { silentLogger, type Logger } from '../logger.js'
import type { PeerRole, PeerTransport, TopologyEdge, TopologyGraph, TopologyNode } from '../vocabulary.js'
import { NeighbourList } from './topology.pb.js'

export const TOPOLOGY_TOPIC = 'peermesh/topology/1'

const TRANSPORTS = new Set<PeerTransport>(['webrtc', 'websocket', 'circuit', 'tcp', 'memory', 'webrtc-direct'])
const ROLES = new Set<PeerRole>(['relay', 'node', 'browser'])
const PEER_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{32,128}$|^b[a-z2-7]{32,128}$/

export interface MeshTopologyOptions {
  /** Republish our neighbour list this often even without changes. @default 20000 */
  publishIntervalMs: number
  /** Wait this long after a change before publishing, to batch bursts. @default 300 */
  publishDebounceMs: number
  /** Forget a publisher not heard from for this long. @default 65000 */
  expireAfterMs: number
  /** Neighbours per list, sent and accepted. @default 64 */
  maxNeighbours: number
  /** Bytes per message, sent and accepted. @default 8192 */
  maxMessageBytes: number
  /** Publishers remembered at once; the stalest are dropped first. @default 1000 */
  maxNodes: number
}

export const defaultMeshTopologyOptions: MeshTopologyOptions = {
  publishIntervalMs: 20_000,
  publishDebounceMs: 300,
  expireAfterMs: 65_000,
  maxNeighbours: 64,
  maxMessageBytes: 8192,
  maxNodes: 1000
}

export interface OwnNeighbour {
  peerId: string
  transport: PeerTransport
  direction: 'inbound' | 'outbound'
  rttMs?: number
}

interface Announcement {
  role?: PeerRole
  seq: bigint
  receivedAt: number
  neighbours: OwnNeighbour[]
}

export interface MeshTopologyComponents {
  pubsub: GossipSub
  selfId: string
  role: PeerRole
  /** Our current neighbours (the router's view). */
  neighbours: () => OwnNeighbour[]
  clock?: Clock
  random?: Random
  logger?: Logger
}

export interface MeshTopologyStats {
  published: number
  received: number
  rejected: number
  expired: number
}

/** Identifies a neighbour list up to RTTs and order. */
function neighbourSetKey (neighbours: readonly OwnNeighbour[]): string {
  return neighbours.map(n => `${n.peerId}/${n.transport}/${n.direction}`).sort().join(' ')
}

export class MeshTopology {
  private readonly c: MeshTopologyComponents
  private readonly clock: Clock
  private readonly random: Random
  private readonly log: Logger
  private readonly options: MeshTopologyOptions
  private readonly known = new Map<string, Announcement>()
  private seq: bigint
  private debounce?: TimerHandle
  /** The neighbour set of our last successful publication. */
  private publishedKey: string | undefined
  private periodic?: TimerHandle
  private expiry?: TimerHandle
  private running = false
  private readonly changeListeners = new Set<() => void>()
  readonly stats: MeshTopologyStats = { published: 0, received: 0, rejected: 0, expired: 0 }

  constructor (components: MeshTopologyComponents, options: Partial<MeshTopologyOptions> = {}) {
    this.c = components
    this.clock = components.clock ?? systemClock
    this.random = components.random ?? systemRandom
    this.log = components.logger ?? silentLogger
    this.options = { ...defaultMeshTopologyOptions, ...options }
    // start above any sequence number we may have used before a restart
    this.seq = BigInt(this.clock.now())
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.c.pubsub.topicValidators.set(TOPOLOGY_TOPIC, this.validate)
    this.c.pubsub.addEventListener('message', this.onMessage)
    this.c.pubsub.subscribe(TOPOLOGY_TOPIC)
    this.schedulePeriodic()
    this.scheduleExpiry()
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.debounce?.cancel()
    this.periodic?.cancel()
    this.expiry?.cancel()
    this.c.pubsub.removeEventListener('message', this.onMessage)
    this.c.pubsub.topicValidators.delete(TOPOLOGY_TOPIC)
  }

  onChange (listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => { this.changeListeners.delete(listener) }
  }

  /**
   * Call when our neighbours changed: publishes after a short debounce when the set of neighbours
   * (peer, transport, direction) differs from what we last published. A new RTT alone waits for
   * the periodic republish: every publication is verified by every node, so publishing on each
   * heartbeat would cost the mesh O(N²) signature checks per round.
   */
  neighboursChanged (): void {
    if (!this.running) return
    this.emitChange()
    if (this.debounce != null || neighbourSetKey(this.c.neighbours()) === this.publishedKey) return
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = undefined
      void this.publish()
    }, this.options.publishDebounceMs)
  }

  /** The mesh as we know it: ourselves, our neighbours, and every unexpired announcement. */
  graph (): TopologyGraph {
    const now = this.clock.now()
    const nodes = new Map<string, TopologyNode>()
    const edges = new Map<string, TopologyEdge>()
    const addEdge = (from: string, n: OwnNeighbour): void => {
      const key = from < n.peerId ? `${from} ${n.peerId}` : `${n.peerId} ${from}`
      if (edges.has(key)) return
      edges.set(key, { from, to: n.peerId, transport: n.transport, direction: n.direction, ...(n.rttMs != null ? { rttMs: n.rttMs } : {}) })
    }
    nodes.set(this.c.selfId, { peerId: this.c.selfId, role: this.c.role, updatedAt: now })
    for (const n of this.c.neighbours()) {
      addEdge(this.c.selfId, n)
    }
    for (const [peerId, a] of this.known) {
      if (peerId === this.c.selfId) continue
      nodes.set(peerId, { peerId, ...(a.role != null ? { role: a.role } : {}), updatedAt: a.receivedAt })
      for (const n of a.neighbours) addEdge(peerId, n)
    }
    for (const edge of edges.values()) {
      for (const id of [edge.from, edge.to]) {
        if (!nodes.has(id)) nodes.set(id, { peerId: id, updatedAt: now })
      }
    }
    return { self: this.c.selfId, nodes: [...nodes.values()], edges: [...edges.values()] }
  }

  /** Publishes our neighbour list now. */
  async publish (): Promise<void> {
    if (!this.running) return
    const neighbours = this.c.neighbours().slice(0, this.options.maxNeighbours)
    const key = neighbourSetKey(neighbours)
    this.seq++
    const bytes = NeighbourList.encode({
      seq: this.seq,
      role: this.c.role,
      neighbours: neighbours.map(n => ({ peerId: n.peerId, transport: n.transport, outbound: n.direction === 'outbound', rttMs: Math.min(Math.round(n.rttMs ?? 0), 0xffffffff) }))
    })
    try {
      await this.c.pubsub.publish(TOPOLOGY_TOPIC, bytes)
      this.publishedKey = key
      this.stats.published++
    } catch (err) {
      // no subscribed peers yet is normal while we join; anything else is worth a debug line
      this.log.debug('topology publish failed', { error: err instanceof Error ? err.message : String(err) })
    }
  }

  private schedulePeriodic (): void {
    const jitter = 1 + (this.random() - 0.5) * 0.2
    this.periodic = this.clock.setTimeout(() => {
      void this.publish()
      if (this.running) this.schedulePeriodic()
    }, this.options.publishIntervalMs * jitter)
  }

  private scheduleExpiry (): void {
    this.expiry = this.clock.setTimeout(() => {
      this.expire()
      if (this.running) this.scheduleExpiry()
    }, Math.max(1000, this.options.expireAfterMs / 4))
  }

  private expire (): void {
    const cutoff = this.clock.now() - this.options.expireAfterMs
    let changed = false
    for (const [peerId, a] of this.known) {
      if (a.receivedAt < cutoff) {
        this.known.delete(peerId)
        this.stats.expired++
        changed = true
      }
    }
    if (changed) this.emitChange()
  }

  /** Gossipsub validator: only well-formed, bounded, signed announcements are forwarded. */
  private readonly validate = (_peer: PeerId, message: Message): TopicValidatorResult => {
    if (message.type !== 'signed' || message.data.byteLength > this.options.maxMessageBytes) {
      this.stats.rejected++
      return TopicValidatorResult.Reject
    }
    const decoded = this.decode(message.data)
    if (decoded == null) {
      this.stats.rejected++
      return TopicValidatorResult.Reject
    }
    return TopicValidatorResult.Accept
  }

  private decode (data: Uint8Array): { seq: bigint, role?: PeerRole, neighbours: OwnNeighbour[] } | undefined {
    let list: NeighbourList
    try {
      list = NeighbourList.decode(data, { limits: { neighbours: this.options.maxNeighbours } })
    } catch {
      return undefined
    }
    const neighbours: OwnNeighbour[] = []
    for (const n of list.neighbours) {
      if (!PEER_ID_PATTERN.test(n.peerId) || !TRANSPORTS.has(n.transport as PeerTransport)) return undefined
      neighbours.push({ peerId: n.peerId, transport: n.transport as PeerTransport, direction: n.outbound ? 'outbound' : 'inbound', ...(n.rttMs > 0 ? { rttMs: n.rttMs } : {}) })
    }
    const role = ROLES.has(list.role as PeerRole) ? list.role as PeerRole : undefined
    return { seq: list.seq, ...(role != null ? { role } : {}), neighbours }
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== TOPOLOGY_TOPIC || message.type !== 'signed') return
    const from = message.from.toString()
    if (from === this.c.selfId) return
    const decoded = this.decode(message.data)
    if (decoded == null) return
    const previous = this.known.get(from)
    if (previous != null && previous.seq >= decoded.seq) return
    this.stats.received++
    if (previous == null && this.known.size >= this.options.maxNodes) this.dropStalest()
    this.known.set(from, { ...decoded, receivedAt: this.clock.now() })
    this.emitChange()
  }

  private dropStalest (): void {
    let stalest: string | undefined
    let at = Infinity
    for (const [peerId, a] of this.known) {
      if (a.receivedAt < at) {
        at = a.receivedAt
        stalest = peerId
      }
    }
    if (stalest != null) this.known.delete(stalest)
  }

  /** Forgets a publisher at once (e.g. a peer we saw leave). */
  forget (peerId: string): void {
    if (this.known.delete(peerId)) this.emitChange()
  }

  private emitChange (): void {
    for (const listener of this.changeListeners) listener()
  }
}
