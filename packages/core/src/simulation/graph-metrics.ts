/**
 * Graph measures of a simulated mesh: connected components (union–find), degree histogram and a
 * diameter estimate by breadth-first search from a sample of nodes (a lower bound of the true
 * diameter that is exact when the sample covers the graph's periphery; with 32 sources on an
 * expander-like graph it is almost always the true value or one less).
 */
import type { Random } from '../clock.js'
import { shuffleInPlace } from './seeded-random.js'

/** An undirected graph over nodes 0…n−1, as adjacency lists. */
export type Adjacency = ReadonlyArray<readonly number[]>

/** Sizes of the connected components, largest first. */
export function componentSizes (adjacency: Adjacency, include: (i: number) => boolean = () => true): number[] {
  const n = adjacency.length
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number
      x = parent[x] as number
    }
    return x
  }
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue
    for (const j of adjacency[i] ?? []) {
      const a = find(i)
      const b = find(j)
      if (a !== b) parent[a] = b
    }
  }
  const sizes = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue
    const root = find(i)
    sizes.set(root, (sizes.get(root) ?? 0) + 1)
  }
  return [...sizes.values()].sort((a, b) => b - a)
}

/** Degree → number of nodes with it. */
export function degreeHistogram (degrees: readonly number[]): Map<number, number> {
  const histogram = new Map<number, number>()
  for (const d of degrees) histogram.set(d, (histogram.get(d) ?? 0) + 1)
  return new Map([...histogram.entries()].sort((a, b) => a[0] - b[0]))
}

/** Largest eccentricity among `sources` (BFS), and the mean distance seen; unreachable nodes are ignored. */
export function estimateDiameter (adjacency: Adjacency, sources: number, random: Random): { diameter: number, meanDistance: number } {
  const n = adjacency.length
  if (n === 0) return { diameter: 0, meanDistance: 0 }
  const order = shuffleInPlace([...Array(n).keys()], random).slice(0, Math.min(sources, n))
  const distance = new Int32Array(n)
  const queue = new Int32Array(n)
  let diameter = 0
  let total = 0
  let pairs = 0
  for (const source of order) {
    distance.fill(-1)
    distance[source] = 0
    let head = 0
    let tail = 0
    queue[tail++] = source
    while (head < tail) {
      const x = queue[head++] as number
      const dx = distance[x] as number
      for (const y of adjacency[x] ?? []) {
        if (distance[y] !== -1) continue
        distance[y] = dx + 1
        queue[tail++] = y
        total += dx + 1
        pairs++
        if (dx + 1 > diameter) diameter = dx + 1
      }
    }
  }
  return { diameter, meanDistance: pairs === 0 ? 0 : total / pairs }
}

/** The diameter of a random d-regular graph on n nodes, to first order: ln n / ln(d − 1). */
export function randomRegularDiameter (n: number, d: number): number {
  if (n <= 1 || d <= 2) return Number.NaN
  return Math.log(n) / Math.log(d - 1)
}
