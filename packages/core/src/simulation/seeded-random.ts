/**
 * Seeded randomness for the simulator: every stream of random numbers in a run (each node's
 * PeerManager, its peer exchange, the network's latencies and losses, the scenario's joins and
 * leaves) is derived from the run's seed and a stream name, so that one seed reproduces a whole
 * run and adding a node does not shift the numbers any other node draws.
 */
import type { Random } from '../clock.js'

/** 32-bit FNV-1a of a string (mixes stream names into seeds). */
function fnv1a (text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** The seed of the stream `name` within a run seeded with `seed`. */
export function deriveSeed (seed: number, name: string): number {
  return (fnv1a(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0
}

/**
 * A small, fast PRNG (mulberry32) returning numbers in [0, 1), as the core's {@link Random}.
 * Not for cryptography: for reproducible simulations only.
 */
export function seededRandom (seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The stream `name` of a run seeded with `seed`. */
export function randomStream (seed: number, name: string): Random {
  return seededRandom(deriveSeed(seed, name))
}

/** An integer in [0, n). */
export function randomInt (random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n))
}

/** Fisher–Yates in place, on `random`. */
export function shuffleInPlace<T> (items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1)
    const item = items[i] as T
    items[i] = items[j] as T
    items[j] = item
  }
  return items
}
