/**
 * A simulated mesh: nodes on one {@link SimulatedClock}, over one {@link SimulatedNetwork}, each a
 * {@link SimulatedNode} driving the production PeerManager and peer-exchange scheduler. The
 * simulation joins and removes nodes, partitions and heals the network, and samples the graph on
 * the simulated clock. Everything is derived from `seed`: one seed, one run, byte for byte.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Random } from '../clock.js'
import { parseNodeAddress, type NodeAddress } from '../address/index.js'
import { reservePeerIdCache } from '../address/peer-id.js'
import { reserveNodeAddressCache } from '../address/parse.js'
import type { PeerManagerOptions } from '../peer-manager/index.js'
import type { MeshRouterOptions } from '../router/router.js'
import type { PeerExchangeOptions } from '../pex/index.js'
import { createSimulatedClock, type SimulatedClock } from './simulated-clock.js'
import { createNetworkModel, type NetworkModel } from './network-model.js'
import { SimulatedNetwork } from './simulated-network.js'
import { SimulatedNode, type SimulatedNodeStats, type SimulatedRole } from './simulated-node.js'
import { componentSizes } from './graph-metrics.js'
import { createSlotHint } from '../topology/slot-hint.js'
import { defaultMeshTopologyOptions } from '../topology/mesh-topology.js'
import type { TopologyEdge, TopologyGraph, TopologyNode } from '../vocabulary.js'
import { deriveSeed, randomStream, shuffleInPlace } from './seeded-random.js'

/** How simulated nodes are addressed: each on its own IPv4 /24 (`tcp://…@10.a.b.1:4001`), or over the memory transport like `createTestNetwork`. */
export type SimulatedAddressing = 'ip' | 'memory'

export interface SimulationInit {
  seed: number
  network?: Partial<NetworkModel>
  /** @default 'ip' */
  addressing?: SimulatedAddressing
  /** Graph samples are taken this often (simulated ms). @default 1000 */
  sampleIntervalMs?: number
  /**
   * The shared topology (what topology sharing over gossipsub tells every node) is the true graph
   * as of at most this long ago. @default 1000
   */
  topologyRefreshMs?: number
}

export interface NodeSpec {
  role?: SimulatedRole
  peerManager: PeerManagerOptions
  router?: Partial<MeshRouterOptions>
  pex?: Partial<PeerExchangeOptions>
  /** Nodes whose direct addresses become our persistent bootstrap peers. */
  bootstrap?: readonly SimulatedNode[]
  /** Relays: reservations granted at most. */
  maxReservations?: number
  /** Tabs: relays reserved on at most. @default 2 */
  targetRelays?: number
}

/** One sample of the mesh, taken on the simulated clock. */
export interface MeshSample {
  /** Simulated ms since the start of the run. */
  t: number
  alive: number
  /** Connected components of all running nodes (a newcomer not yet linked counts as one). */
  components: number
  /**
   * Components among the nodes that have had ≥ minConnected neighbours at least once (newcomers
   * still joining left out): whether the mesh itself is split.
   */
  meshComponents: number
  largestComponent: number
  minDegree: number
  meanDegree: number
  /** Running nodes with fewer than their `minConnected` neighbours. */
  belowMin: number
  /** Running totals over every node ever started. */
  pexBytes: number
  pexRequests: number
  dials: number
}

export class Simulation {
  readonly seed: number
  readonly clock: SimulatedClock
  readonly network: SimulatedNetwork
  readonly model: NetworkModel
  readonly addressing: SimulatedAddressing
  readonly startedAt: number
  readonly nodes: SimulatedNode[] = []
  readonly samples: MeshSample[] = []
  /** Scenario marks on the time axis (joins done, partition, heal…), in simulated ms since start. */
  readonly marks: Array<{ t: number, label: string }> = []
  private readonly sampleIntervalMs: number
  private readonly relayedAddresses = new Map<string, NodeAddress>()
  /** Per node: when it first had ≥ minConnected, when it last dropped below, and its longest spell below since. */
  readonly floor = new Map<SimulatedNode, { reachedAt?: number, belowSince?: number, longestBelowMs: number }>()
  private sampling = false
  private readonly topologyRefreshMs: number
  private topology: TopologyGraph | undefined
  private readonly slotHints = new Map<string, (peerId: string) => number>()
  private readonly topologyRandom: Random
  /** PEX requests each node had sent at a named moment (for rounds between two moments). */
  readonly requestSnapshots = new Map<string, Map<SimulatedNode, number>>()

  constructor (init: SimulationInit) {
    this.seed = init.seed
    this.startedAt = 1_700_000_000_000
    this.clock = createSimulatedClock(this.startedAt)
    this.model = createNetworkModel(init.network)
    this.addressing = init.addressing ?? 'ip'
    this.sampleIntervalMs = init.sampleIntervalMs ?? 1000
    this.topologyRefreshMs = init.topologyRefreshMs ?? 1000
    this.topologyRandom = randomStream(init.seed, 'topology')
    this.network = new SimulatedNetwork({ clock: this.clock, model: this.model, random: randomStream(init.seed, 'network') })
  }

  /** Simulated ms since the start. */
  elapsed (): number {
    return this.clock.now() - this.startedAt
  }

  random (name: string): Random {
    return randomStream(this.seed, name)
  }

  running (): SimulatedNode[] {
    return this.nodes.filter(n => n.running)
  }

  /** Creates and starts a node now. Its identity and randomness come from the seed and its index. */
  async addNode (spec: NodeSpec): Promise<SimulatedNode> {
    const index = this.nodes.length
    const role = spec.role ?? 'node'
    const seedBytes = new Uint8Array(32)
    new DataView(seedBytes.buffer).setUint32(0, this.seed >>> 0)
    new DataView(seedBytes.buffer).setUint32(4, index)
    const peerId = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seedBytes)).toString()
    const direct = role === 'browser' ? [] : [this.directAddress(peerId, index)]
    // like createTestNetwork's nodes, which listen on /memory/<name> and /memory/<peerId>
    const extra = role !== 'browser' && this.addressing === 'memory' ? [parseNodeAddress(`memory://${peerId}@${peerId}`)] : []
    const bootstrap = (spec.bootstrap ?? []).flatMap(b => [...b.selfAddresses()].slice(0, 1))
    const node = new SimulatedNode({
      index,
      peerId,
      role,
      directAddresses: direct,
      extraIdentifyAddresses: extra,
      peerManager: spec.peerManager,
      ...(spec.router !== undefined ? { router: spec.router } : {}),
      ...(spec.pex !== undefined ? { pex: spec.pex } : {}),
      bootstrap,
      ...(spec.maxReservations !== undefined ? { maxReservations: spec.maxReservations } : {}),
      targetRelays: spec.targetRelays ?? 2,
      relayedAddress: relay => this.relayedAddress(peerId, relay),
      clock: this.clock,
      random: randomStream(deriveSeed(this.seed, 'node'), String(index)),
      network: this.network,
      topology: () => this.topology,
      slotHint: this.slotHintFor(spec.peerManager)
    })
    this.nodes.push(node)
    // every node's PeerId stays in the shared parse cache (2048 by default), however many run
    reservePeerIdCache(2 * this.nodes.length)
    // and every address it announces (direct, memory, relayed: a few per node) in the parse cache
    reserveNodeAddressCache(4 * this.nodes.length)
    this.network.register(node)
    this.floor.set(node, { longestBelowMs: 0 })
    await node.start()
    return node
  }

  /** Schedules `addNode(spec)` at `atMs` simulated ms since start. */
  joinAt (atMs: number, spec: NodeSpec | (() => NodeSpec)): void {
    this.clock.setTimeout(() => { void this.addNode(typeof spec === 'function' ? spec() : spec) }, Math.max(0, this.startedAt + atMs - this.clock.now()))
  }

  /** Runs `fn` at `atMs` simulated ms since start. */
  at (atMs: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(0, this.startedAt + atMs - this.clock.now()))
  }

  mark (label: string): void {
    this.marks.push({ t: this.elapsed(), label })
  }

  /** Remembers every node's PEX request count under `name`. */
  snapshotRequests (name: string): void {
    this.requestSnapshots.set(name, new Map(this.nodes.map(n => [n, n.stats.pexRequestsSent])))
  }

  /** Runs until `untilMs` simulated ms since start, or until `stop()` holds at a sample. */
  async run (untilMs: number, stop?: (sample: MeshSample) => boolean): Promise<void> {
    this.startSampling()
    let stopNow = false
    this.onSample = stop === undefined ? undefined : (s) => { if (stop(s)) stopNow = true }
    await this.clock.runUntil(this.startedAt + untilMs, () => stopNow)
    this.onSample = undefined
  }

  private onSample: ((sample: MeshSample) => void) | undefined
  /** Told about every sample (the CLI's `--progress`). */
  onProgress: ((sample: MeshSample) => void) | undefined

  /** `createSlotHint` over the shared topology, one per set of limits (it assumes ours are the mesh's). */
  private slotHintFor (limits: PeerManagerOptions): (peerId: string) => number {
    const key = `${limits.minConnected}/${limits.maxConnected}`
    let hint = this.slotHints.get(key)
    if (hint === undefined) {
      hint = createSlotHint(() => this.topology, limits, this.clock)
      this.slotHints.set(key, hint)
    }
    return hint
  }

  /**
   * The graph every node's topology sharing shows: each running node's neighbour list, as it would
   * publish it. A real node remembers at most `maxNodes` publishers (1000; the stalest dropped
   * first, and with everyone republishing every 20 s that is a rolling sample), so beyond that
   * the shared graph holds a seeded random sample of that many publishers.
   */
  private refreshTopology (): void {
    const now = this.clock.now()
    const nodes: TopologyNode[] = []
    const edges: TopologyEdge[] = []
    let publishers = this.nodes.filter(n => n.running)
    const max = defaultMeshTopologyOptions.maxNodes
    if (publishers.length > max) publishers = shuffleInPlace(publishers, this.topologyRandom).slice(0, max)
    for (const node of publishers) {
      nodes.push({ peerId: node.peerId, role: node.role, updatedAt: now })
      for (const link of node.neighbourLinks()) {
        edges.push({ from: node.peerId, to: link.peerId, transport: link.transport, direction: link.direction })
      }
    }
    this.topology = { self: '', nodes, edges }
  }

  private startSampling (): void {
    if (this.sampling) return
    this.sampling = true
    const refresh = (): void => {
      this.refreshTopology()
      this.clock.setTimeout(refresh, this.topologyRefreshMs)
    }
    this.clock.setTimeout(refresh, 0)
    const tick = (): void => {
      const sample = this.sample()
      this.samples.push(sample)
      this.onSample?.(sample)
      this.onProgress?.(sample)
      this.clock.setTimeout(tick, this.sampleIntervalMs)
    }
    this.clock.setTimeout(tick, 0)
  }

  /** The current graph of running nodes: adjacency over their positions in `running()`. */
  graph (): { nodes: SimulatedNode[], adjacency: number[][] } {
    const nodes = this.running()
    const position = new Map<string, number>()
    nodes.forEach((n, i) => position.set(n.peerId, i))
    const adjacency = nodes.map(n => {
      const out: number[] = []
      for (const id of n.neighbourIds()) {
        const j = position.get(id)
        // a link counts when both ends hold it as a neighbour
        if (j !== undefined && (nodes[j] as SimulatedNode).isConnectedTo(n.peerId)) out.push(j)
      }
      return out
    })
    return { nodes, adjacency }
  }

  sample (): MeshSample {
    const { nodes, adjacency } = this.graph()
    const components = componentSizes(adjacency)
    const settled = nodes.map(n => this.floor.get(n)?.reachedAt !== undefined)
    let minDegree = Infinity
    let degreeSum = 0
    let belowMin = 0
    const now = this.clock.now()
    nodes.forEach((node, i) => {
      const degree = (adjacency[i] as number[]).length
      minDegree = Math.min(minDegree, degree)
      degreeSum += degree
      const floor = this.floor.get(node) as { reachedAt?: number, belowSince?: number, longestBelowMs: number }
      const below = degree < node.peerManagerOptions.minConnected
      if (below) belowMin++
      if (!below) {
        floor.reachedAt ??= now
        if (floor.belowSince !== undefined) floor.belowSince = undefined
      } else if (floor.reachedAt !== undefined) {
        floor.belowSince ??= now
        floor.longestBelowMs = Math.max(floor.longestBelowMs, now - floor.belowSince)
      }
    })
    let pexBytes = 0
    let pexRequests = 0
    let dials = 0
    for (const node of this.nodes) {
      pexBytes += node.stats.pexBytesSent
      pexRequests += node.stats.pexRequestsSent
      dials += node.stats.dialsStarted
    }
    return {
      t: this.elapsed(),
      alive: nodes.length,
      components: components.length,
      largestComponent: components[0] ?? 0,
      minDegree: minDegree === Infinity ? 0 : minDegree,
      meanDegree: nodes.length === 0 ? 0 : degreeSum / nodes.length,
      belowMin,
      meshComponents: componentSizes(adjacency, i => settled[i] === true).length,
      pexBytes,
      pexRequests,
      dials
    }
  }

  /** Sum of one counter over every node ever started. */
  total (key: keyof SimulatedNodeStats): number {
    let sum = 0
    for (const node of this.nodes) sum += node.stats[key]
    return sum
  }

  private directAddress (peerId: string, index: number): NodeAddress {
    if (this.addressing === 'memory') return parseNodeAddress(`memory://${peerId}@sim-${index}`)
    return parseNodeAddress(`tcp://${peerId}@10.${(index >> 8) & 255}.${index & 255}.${1 + (index >> 16)}:4001`)
  }

  /** A tab's relayed WebRTC address through `relay` (one parse per pair). */
  private relayedAddress (peerId: string, relay: SimulatedNode): NodeAddress {
    const key = `${peerId} ${relay.peerId}`
    let address = this.relayedAddresses.get(key)
    if (address === undefined) {
      const relayAddress = relay.selfAddresses()[0] as NodeAddress
      const url = relayAddress.toString()
      const rest = url.slice(url.indexOf('@'))
      address = parseNodeAddress(`webrtc+${relayAddress.protocol}://${peerId}${rest}/via/${relay.peerId}`)
      this.relayedAddresses.set(key, address)
    }
    return address
  }
}
