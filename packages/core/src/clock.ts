/**
 * Time and randomness are injected into every state machine in the core, so that tests run on a
 * fake clock in milliseconds and never sleep. Production code uses {@link systemClock} and
 * {@link systemRandom}; tests use `createFakeClock()` from `@peermesh/core/testing`.
 */

/** A handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  cancel(): void
}

/** The clock every core state machine reads instead of `Date.now()` / `setTimeout`. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Calls `fn` once after `delayMs`. The returned handle cancels it. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle
}

/** A source of uniformly distributed numbers in [0, 1). */
export type Random = () => number

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout (fn, delayMs) {
    const id = globalThis.setTimeout(fn, delayMs)
    return { cancel: () => { globalThis.clearTimeout(id) } }
  }
}

export const systemRandom: Random = () => Math.random()

/** Waits `delayMs` on `clock`; rejects with the signal's reason if it is aborted first. */
export async function delay (clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel()
      reject(signal?.reason)
    }
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, delayMs)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** The error a {@link timeoutSignal} aborts with. */
export class ClockTimeoutError extends Error {
  override name = 'TimeoutError'
}

/**
 * `AbortSignal.timeout` on `clock`: a signal that aborts after `delayMs` of the injected clock
 * (so a fake clock drives it in tests). Cancel it once the work is done, or its timer stays
 * pending until it fires.
 */
export function timeoutSignal (clock: Clock, delayMs: number): { signal: AbortSignal, cancel: () => void } {
  const controller = new AbortController()
  const timer = clock.setTimeout(() => { controller.abort(new ClockTimeoutError(`timed out after ${delayMs} ms`)) }, delayMs)
  return { signal: controller.signal, cancel: () => { timer.cancel() } }
}
