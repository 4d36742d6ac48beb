/**
 * The one backoff formula of the package: the wait before attempt `failures + 1` after
 * `failures` failures in a row, on whatever clock the caller keeps (this module only computes;
 * it is a leaf: it imports nothing).
 *
 * - `linear`: `baseMs × failures` (a dial that failed for a reason that may pass at any moment:
 *   the network, a peer restarting);
 * - `exponential`: `baseMs × 2^(failures − 1)` (the other side said no: a full peer that hung up
 *   on us, a relay that refused a reservation; asking again at a steady pace only adds load);
 *
 * then capped at `capMs` (0: uncapped), then jittered: `jitterMs` adds up to that many ms,
 * `jitterRatio` multiplies by a factor in [1 − ratio, 1 + ratio). 0 failures: 0.
 */
export interface Backoff {
  growth: 'linear' | 'exponential'
  baseMs: number
  /** 0: uncapped. */
  capMs: number
  /** Up to this many ms added after the cap (the cap then still applies). @default 0 */
  jitterMs?: number
  /** The capped delay multiplied by a factor in [1 − ratio, 1 + ratio). @default 0 */
  jitterRatio?: number
}

/** Doubling stops here (2^30 × any base is beyond every cap). */
const MAX_DOUBLINGS = 30

/** `random`: the injected random source (`Random` of clock.ts: a number in [0, 1)). */
export function backoffDelayMs (backoff: Backoff, failures: number, random: () => number): number {
  if (!(failures > 0)) return 0
  const { baseMs, capMs } = backoff
  let delay = backoff.growth === 'linear' ? baseMs * failures : baseMs * 2 ** Math.min(failures - 1, MAX_DOUBLINGS)
  if (capMs > 0) delay = Math.min(delay, capMs)
  const jitterRatio = backoff.jitterRatio ?? 0
  if (jitterRatio > 0) delay = Math.round(delay * (1 + jitterRatio * (2 * random() - 1)))
  const jitterMs = backoff.jitterMs ?? 0
  if (jitterMs > 0) delay += Math.floor(random() * jitterMs)
  return capMs > 0 ? Math.min(delay, capMs) : delay
}
