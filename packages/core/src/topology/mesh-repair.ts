/**
 * Keeping the members' direct links one connected mesh, from the topology every node shares.
 *
 * With a low `maxConnected`, peers that fill their slots among themselves can close into
 * cliques: eight tabs with three direct links each may settle as two separate groups of four,
 * every tab full, nobody willing to make room. The PeerManager alone cannot see that: it scores
 * peers one by one. The topology can. A member computes the components of the graph of direct
 * member-to-member links (relays and relayed links left out, since the mesh must survive its
 * relays) and gives the PeerManager two preferences (added to scores, `setPreferences()`):
 *
 * - while the mesh has stayed split for a grace period, every member outside our component
 *   scores `otherComponent` more, so a full node upgrades to one of them (evicting its
 *   lowest-scored neighbour) and a full node accepts one of them the same way;
 * - every neighbour whose direct link with us is the only path between us (a cut edge) scores
 *   `criticalLink` more, so eviction and upgrades take a redundant link instead of splitting the
 *   mesh.
 *
 * Once the groups are joined the first preference disappears and the join is protected by the
 * second. Pure functions; the node wires them to topology changes.
 */
import type { Clock, TimerHandle } from '../clock.js'
import type { Logger } from '../logger.js'
import type { TopologyGraph } from '../node/types.js'

export interface MeshRepairPreferences {
  /** Added to the score of members outside our component while the mesh is split. @default 20 */
  otherComponent: number
  /** Added to the score of a neighbour whose link is a cut edge. @default 20 */
  criticalLink: number
}

export const MESH_REPAIR_PREFERENCES: Readonly<MeshRepairPreferences> = Object.freeze({ otherComponent: 20, criticalLink: 20 })

/** The members' direct-link graph as one node sees it. */
export interface MeshAnalysis {
  /** False for a relay (or a node whose role is unknown): it takes no part. */
  member: boolean
  /** Member components over direct links, ours first, each sorted; empty for a non-member. */
  components: string[][]
  /** Our direct member neighbours whose link with us is the only path to them. */
  criticalNeighbours: string[]
  /** Members we are linked to over any transport, relayed included. */
  linked: string[]
}

function isMemberRole (role: string | undefined): boolean {
  return role === 'browser' || role === 'node'
}

/** Components and cut edges of `graph`'s direct member links, from `graph.self`'s point of view. */
export function analyseMesh (graph: TopologyGraph): MeshAnalysis {
  const self = graph.self
  const members = new Set<string>()
  for (const node of graph.nodes) if (isMemberRole(node.role)) members.add(node.peerId)
  if (!members.has(self)) return { member: false, components: [], criticalNeighbours: [], linked: [] }

  const adjacency = new Map<string, Set<string>>()
  for (const id of members) adjacency.set(id, new Set())
  const linked = new Set<string>()
  for (const edge of graph.edges) {
    if (edge.from === edge.to || !members.has(edge.from) || !members.has(edge.to)) continue
    if (edge.from === self) linked.add(edge.to)
    if (edge.to === self) linked.add(edge.from)
    if (edge.transport === 'circuit') continue
    adjacency.get(edge.from)?.add(edge.to)
    adjacency.get(edge.to)?.add(edge.from)
  }

  const reach = (from: string, skip?: [string, string]): Set<string> => {
    const seen = new Set([from])
    const queue = [from]
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const other of adjacency.get(next) ?? []) {
        if (seen.has(other)) continue
        if (skip !== undefined && ((next === skip[0] && other === skip[1]) || (next === skip[1] && other === skip[0]))) continue
        seen.add(other)
        queue.push(other)
      }
    }
    return seen
  }

  const ours = reach(self)
  const components = [[...ours].sort()]
  const placed = new Set(ours)
  for (const id of [...members].sort()) {
    if (placed.has(id)) continue
    const component = reach(id)
    for (const other of component) placed.add(other)
    components.push([...component].sort())
  }

  const criticalNeighbours: string[] = []
  for (const neighbour of adjacency.get(self) ?? []) {
    if (!reach(self, [self, neighbour]).has(neighbour)) criticalNeighbours.push(neighbour)
  }
  return { member: true, components, criticalNeighbours: criticalNeighbours.sort(), linked: [...linked].sort() }
}

/**
 * The preferences to hand to `PeerManager.setPreferences()`: `criticalLink` for each critical
 * neighbour; when `split` (the mesh has been split long enough to act on), `otherComponent` for
 * every member outside our component that we are not linked to already (a member we reach only
 * through a relay, e.g. one whose WebRTC fails, would otherwise keep drawing upgrades that
 * evict direct links and bring no direct one).
 */
export function meshRepairPreferences (
  analysis: MeshAnalysis, split: boolean, preferences: MeshRepairPreferences = MESH_REPAIR_PREFERENCES
): Map<string, number> {
  const result = new Map<string, number>()
  if (!analysis.member) return result
  for (const id of analysis.criticalNeighbours) result.set(id, preferences.criticalLink)
  if (split) {
    const linked = new Set(analysis.linked)
    for (const component of analysis.components.slice(1)) {
      for (const id of component) if (!linked.has(id)) result.set(id, preferences.otherComponent)
    }
  }
  return result
}

export interface MeshRepairInit {
  /** The mesh as this node knows it now. */
  graph: () => TopologyGraph
  /** Where the preferences go: `PeerManager.setPreferences`. */
  setPreferences: (preferences: ReadonlyMap<string, number>) => void
  clock: Clock
  logger?: Logger
  /** How long the mesh must stay split before members outside our component are preferred: a tab that just joined is alone for a moment. @default 3000 */
  graceMs?: number
  /** Changes within this window are evaluated once. @default 250 */
  debounceMs?: number
  preferences?: MeshRepairPreferences
}

/** Re-evaluates the mesh on every change (debounced) and keeps the PeerManager's preferences current. */
export class MeshRepair {
  readonly #init: MeshRepairInit
  readonly #graceMs: number
  readonly #debounceMs: number
  #timer: TimerHandle | undefined
  #splitSince: number | undefined
  #acting = false
  #running = true

  constructor (init: MeshRepairInit) {
    this.#init = init
    this.#graceMs = init.graceMs ?? 3000
    this.#debounceMs = init.debounceMs ?? 250
  }

  /** The topology or our neighbours changed. */
  changed (): void {
    if (!this.#running || this.#timer !== undefined) return
    this.#schedule(this.#debounceMs)
  }

  /** True while members outside our component are preferred. */
  get acting (): boolean {
    return this.#acting
  }

  stop (): void {
    this.#running = false
    this.#timer?.cancel()
    this.#timer = undefined
  }

  #schedule (delayMs: number): void {
    this.#timer?.cancel()
    this.#timer = this.#init.clock.setTimeout(() => {
      this.#timer = undefined
      this.evaluate()
    }, delayMs)
  }

  /** Evaluates now (the debounce and the grace timer call this). */
  evaluate (): void {
    if (!this.#running) return
    const analysis = analyseMesh(this.#init.graph())
    const now = this.#init.clock.now()
    let split = false
    if (analysis.components.length > 1) {
      this.#splitSince ??= now
      split = now - this.#splitSince >= this.#graceMs
      if (!split && this.#timer === undefined) this.#schedule(this.#splitSince + this.#graceMs - now)
    } else {
      this.#splitSince = undefined
    }
    if (split !== this.#acting) {
      this.#acting = split
      if (split) this.#init.logger?.info('the mesh is split: preferring peers outside our group', { groups: analysis.components.length, sizes: analysis.components.map(c => c.length) })
      else this.#init.logger?.info('the mesh is one group again')
    }
    this.#init.setPreferences(meshRepairPreferences(analysis, split, this.#init.preferences))
  }
}
