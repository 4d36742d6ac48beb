/**
 * `createTestNetwork(n)`: n real peermesh nodes in one process over libp2p's memory transport,
 * with helpers that wait for a state, never for a time (CometBFT's p2ptest, in our terms).
 *
 * @example
 * ```ts
 * const net = await createTestNetwork(20, { peerManager: { minConnected: 3, maxConnected: 6 } })
 * await net.start()
 * await net.waitFor(() => net.components().length === 1 && net.minDegree() >= 3)
 * await net.stop()
 * ```
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { createPeerMeshNode, type PeerMeshNodeInit } from '../node/create-node.js'
import { createMemoryPeerStore } from '../store/memory-peer-store.js'
import { createPeerManagerOptions, peerManagerPresetFor } from '../peer-manager/options.js'
import type { PeerMeshNode } from '../node/types.js'
import type { PeerManager } from '../peer-manager/index.js'
import type { MeshRouter } from '../router/router.js'

export type TestNode = PeerMeshNode & { readonly peerManager: PeerManager, readonly router: MeshRouter }

export interface TestNetworkOptions extends Omit<PeerMeshNodeInit, 'privateKey' | 'peerStore' | 'listen' | 'memory' | 'bootstrap'> {
  /** Which node(s) the others bootstrap from: the first node, or none (connect by hand). @default 'first' */
  bootstrap?: 'first' | 'none'
}

export class WaitForTimeoutError extends Error {
  override name = 'WaitForTimeoutError'
}

let networkCounter = 0
/** Events within this window trigger one check of a `waitFor` predicate. */
const CHECK_COALESCE_MS = 10

interface Slot {
  privateKey: PrivateKey
  entries: Map<string, unknown>
  name: string
  node: TestNode
}

export class TestNetwork {
  readonly slots: Slot[] = []
  private readonly options: TestNetworkOptions
  private readonly prefix: string

  constructor (options: TestNetworkOptions) {
    this.options = options
    this.prefix = `peermesh-test-${++networkCounter}-${Math.random().toString(36).slice(2, 8)}`
  }

  get nodes (): TestNode[] {
    return this.slots.map(s => s.node)
  }

  node (index: number): TestNode {
    const slot = this.slots[index]
    if (slot == null) throw new RangeError(`no node ${index} in this network of ${this.slots.length}`)
    return slot.node
  }

  /** The memory NodeAddress of node `index`. */
  address (index: number): string {
    const node = this.node(index)
    const slot = this.slots[index]
    return `memory://${node.peerId}@${slot?.name ?? ''}`
  }

  /** Adds a node (not started). Options override the network's. */
  async addNode (overrides: Partial<TestNetworkOptions> = {}): Promise<TestNode> {
    const index = this.slots.length
    const slot: Slot = {
      privateKey: await generateKeyPair('Ed25519'),
      entries: new Map(),
      name: `${this.prefix}-${index}`,
      node: undefined as unknown as TestNode
    }
    this.slots.push(slot)
    slot.node = await this.build(slot, index, overrides)
    return slot.node
  }

  private async build (slot: Slot, index: number, overrides: Partial<TestNetworkOptions>): Promise<TestNode> {
    const { bootstrap: bootstrapMode = 'first', ...rest } = { ...this.options, ...overrides }
    const bootstrap = bootstrapMode === 'first' && index > 0 ? [this.address(0)] : []
    return await createPeerMeshNode({
      ...rest,
      role: rest.role ?? 'node',
      // Every memory address is in one address group, so the per-group cap (which keeps one /24
      // from filling the book) would treat the whole test network as one subnet; these nodes
      // stand for separate hosts. A test that sets the cap keeps it.
      // Partial options over the role's preset, the rest derived: `{ maxConnected: 6 }` also lowers
      // the outbound cap (core's createPeerManagerOptions).
      peerManager: createPeerManagerOptions({ maxAddressesPerGroup: 0, ...rest.peerManager }, peerManagerPresetFor(rest.role ?? 'node')),
      privateKey: slot.privateKey,
      peerStore: createMemoryPeerStore({ entries: slot.entries }),
      listen: [`/memory/${slot.name}`],
      memory: true,
      bootstrap
    }) as TestNode
  }

  async start (): Promise<void> {
    for (const node of this.nodes) await node.start()
  }

  async stop (): Promise<void> {
    await Promise.allSettled(this.nodes.map(async n => { await n.stop() }))
  }

  /** Stops node `index` and starts it again with the same identity and stored peers. */
  async restart (index: number): Promise<TestNode> {
    const slot = this.slots[index]
    if (slot == null) throw new RangeError(`no node ${index}`)
    await slot.node.stop()
    slot.node = await this.build(slot, index, {})
    await slot.node.start()
    return slot.node
  }

  /** Peer IDs connected to each node (the router's neighbours), by node index. */
  adjacency (): Map<string, Set<string>> {
    const running = new Set(this.nodes.filter(n => n.libp2p.status === 'started').map(n => n.peerId))
    const adjacency = new Map<string, Set<string>>()
    for (const node of this.nodes) {
      if (!running.has(node.peerId)) continue
      adjacency.set(node.peerId, new Set(node.router.neighbours().map(n => n.peerId).filter(id => running.has(id))))
    }
    return adjacency
  }

  /** Connected components of the running nodes, as sets of peer IDs. */
  components (): Array<Set<string>> {
    const adjacency = this.adjacency()
    const seen = new Set<string>()
    const out: Array<Set<string>> = []
    for (const start of adjacency.keys()) {
      if (seen.has(start)) continue
      const component = new Set<string>([start])
      const stack = [start]
      seen.add(start)
      while (stack.length > 0) {
        const id = stack.pop() as string
        for (const next of adjacency.get(id) ?? []) {
          if (!seen.has(next)) {
            seen.add(next)
            component.add(next)
            stack.push(next)
          }
        }
      }
      out.push(component)
    }
    return out
  }

  /** The smallest number of neighbours any running node has. */
  minDegree (): number {
    let min = Infinity
    for (const peers of this.adjacency().values()) min = Math.min(min, peers.size)
    return min === Infinity ? 0 : min
  }

  maxDegree (): number {
    let max = 0
    for (const node of this.nodes) {
      if (node.libp2p.status === 'started') max = Math.max(max, node.libp2p.getConnections().length)
    }
    return max
  }

  /**
   * Resolves once `predicate()` holds. Re-checks whenever any node reports a change in its peers or
   * topology, so it waits for a state; `timeoutMs` is only a failure bound, with a diagnostic.
   */
  async waitFor (predicate: () => boolean, options: { timeoutMs?: number, describe?: () => string } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000
    if (predicate()) return
    await new Promise<void>((resolve, reject) => {
      const cleanups: Array<() => void> = []
      const finish = (err?: Error): void => {
        for (const cleanup of cleanups) cleanup()
        if (err != null) reject(err)
        else resolve()
      }
      // a burst of events (a hundred nodes announcing topology) is checked once
      let queued = false
      const checkNow = (): void => {
        queued = false
        try {
          if (predicate()) finish()
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)))
        }
      }
      const check = (): void => {
        if (queued) return
        queued = true
        const timer = setTimeout(checkNow, CHECK_COALESCE_MS)
        cleanups.push(() => { clearTimeout(timer) })
      }
      for (const node of this.nodes) {
        for (const type of ['peers:change', 'topology:change'] as const) {
          node.addEventListener(type, check)
          cleanups.push(() => { node.removeEventListener(type, check) })
        }
        node.libp2p.addEventListener('connection:close', check)
        cleanups.push(() => { node.libp2p.removeEventListener('connection:close', check) })
      }
      const timer = setTimeout(() => {
        const detail = options.describe?.() ?? this.describe()
        finish(new WaitForTimeoutError(`state not reached within ${timeoutMs} ms: ${detail}`))
      }, timeoutMs)
      cleanups.push(() => { clearTimeout(timer) })
    })
  }

  /** A one-line summary for failure messages. */
  describe (): string {
    const degrees = [...this.adjacency().values()].map(s => s.size)
    return `components=${this.components().map(c => c.size).join('+')} degrees=[${degrees.join(',')}]`
  }
}

/** Creates `n` nodes over the memory transport; node 0 is everyone's bootstrap unless told otherwise. */
export async function createTestNetwork (n: number, options: TestNetworkOptions = {}): Promise<TestNetwork> {
  const network = new TestNetwork(options)
  for (let i = 0; i < n; i++) await network.addNode()
  return network
}
