/**
 * How likely a peer is to take a newcomer, read from the shared topology (I/O-free): peer
 * exchange answers list peers with free slots first, so a newcomer turned away by a full node
 * leaves with addresses it can use.
 */
import type { Clock } from '../clock.js'
import type { TopologyGraph } from '../vocabulary.js'

/** Lower goes first: below its minimum degree, unknown to the graph or with a free slot, full. */
export const SLOT_HINT = { wanted: 0, open: 1, full: 2 } as const

/** Neighbour counts of every node in the graph (edges are undirected, each counted once per pair). */
export function degreesOf (graph: TopologyGraph): Map<string, number> {
  const pairs = new Set<string>()
  const degrees = new Map<string, number>()
  for (const edge of graph.edges) {
    if (edge.from === edge.to) continue
    const key = edge.from < edge.to ? `${edge.from} ${edge.to}` : `${edge.to} ${edge.from}`
    if (pairs.has(key)) continue
    pairs.add(key)
    degrees.set(edge.from, (degrees.get(edge.from) ?? 0) + 1)
    degrees.set(edge.to, (degrees.get(edge.to) ?? 0) + 1)
  }
  return degrees
}

/**
 * A slot hint over a graph source, recomputed at most every `maxAgeMs`. A peer the graph does not
 * show is a newcomer (open); the limits are ours, assumed to be the mesh's.
 */
export function createSlotHint (graph: () => TopologyGraph | undefined, limits: { minConnected: number, maxConnected: number }, clock: Clock, maxAgeMs = 1000): (peerId: string) => number {
  let degrees: Map<string, number> | undefined
  let computedAt = -Infinity
  return (peerId) => {
    const now = clock.now()
    if (degrees === undefined || now - computedAt > maxAgeMs) {
      const g = graph()
      degrees = g == null ? new Map() : degreesOf(g)
      computedAt = now
    }
    const degree = degrees.get(peerId)
    if (degree === undefined) return SLOT_HINT.open
    if (degree < limits.minConnected) return SLOT_HINT.wanted
    if (limits.maxConnected > 0 && degree >= limits.maxConnected) return SLOT_HINT.full
    return SLOT_HINT.open
  }
}
