/**
 * The adaptive interval between two peer exchange requests to the same peer, as a pure function
 * of what the book and the last responses tell us (CometBFT's reactor behaviour, with our own
 * formula):
 *
 * - we know nobody: ask again soon (`emptyBookDelayMs`, about 1 s);
 * - we know peers but have fewer neighbours than our minimum (`starving`): `emptyBookDelayMs`
 *   doubled for each consecutive response that added nothing, up to `baseRequestDelayMs` (asking
 *   every second helps a newcomer; it does not help a node whose every known peer is full);
 * - the book is at least `fullBookRatio` full: ask rarely (`fullBookDelayMs`, 10 min);
 * - otherwise `baseRequestDelayMs`, doubled for each consecutive response that added nothing, and
 *   stretched by 1 / (1 − fill) as the book fills; clamped to `fullBookDelayMs`. A response full
 *   of new addresses never shortens it: what a peer sends must not set how often we ask it
 *   (an attacker answering with 100 fresh addresses made us ask every second; issue 13).
 *
 * The result is then multiplied by a jitter factor in [1 − `requestJitterRatio`, 1 + ratio) drawn
 * from the injected `random`.
 */
import type { Random } from '../clock.js'
import { PEX_DEFAULTS } from './constants.js'
import type { PeerExchangeOptions } from './options.js'

/** What the delay depends on. Negative or non-finite numbers count as 0. */
export interface PexRequestDelayInput {
  /** Peers the book knows now. */
  knownPeers: number
  /** Peers the book can hold; 0 means unlimited (the book never counts as full). */
  capacity: number
  /**
   * New addresses the last response from this peer added to the book (0 before the first).
   * Informational: it no longer shortens the delay (a source must not set our pace).
   */
  lastAddedCount: number
  /** Consecutive requests to this peer that added nothing (failed ones included). */
  unproductiveStreak?: number
  /** Fewer neighbours than the node's minimum. @default false */
  starving?: boolean
}

/** The options the delay depends on. */
export type PexRequestDelayOptions = Pick<PeerExchangeOptions,
'emptyBookDelayMs' | 'baseRequestDelayMs' | 'fullBookDelayMs' | 'fullBookRatio' | 'requestJitterRatio'>

/** Doubling stops here: 2^16 × any sane base is beyond `fullBookDelayMs` anyway. */
const MAX_DOUBLINGS = 16

function nonNegative (value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0
}

/** The delay before jitter (exported for tests and docs). */
export function basePexRequestDelayMs (input: PexRequestDelayInput, options: PexRequestDelayOptions = PEX_DEFAULTS): number {
  const knownPeers = nonNegative(input.knownPeers)
  const capacity = nonNegative(input.capacity)
  if (knownPeers === 0) return options.emptyBookDelayMs
  const doublings = Math.min(Math.floor(nonNegative(input.unproductiveStreak)), MAX_DOUBLINGS)
  if (input.starving === true) return Math.min(options.baseRequestDelayMs, options.emptyBookDelayMs * 2 ** doublings)

  const fill = capacity > 0 ? Math.min(1, knownPeers / capacity) : 0
  if (capacity > 0 && fill >= options.fullBookRatio) return options.fullBookDelayMs

  const delayMs = options.baseRequestDelayMs * 2 ** doublings / (1 - fill)
  return Math.min(options.fullBookDelayMs, Math.max(options.baseRequestDelayMs, delayMs))
}

/** Multiplies `delayMs` by a jitter factor in [1 − ratio, 1 + ratio) and rounds to whole ms. */
export function jitterDelayMs (delayMs: number, jitterRatio: number, random: Random): number {
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.round(delayMs * (1 + jitterRatio * (2 * r - 1)))
}

/** The jittered delay, in ms, before the next request to a peer. */
export function nextPexRequestDelayMs (input: PexRequestDelayInput, random: Random, options: PexRequestDelayOptions = PEX_DEFAULTS): number {
  return jitterDelayMs(basePexRequestDelayMs(input, options), options.requestJitterRatio, random)
}
