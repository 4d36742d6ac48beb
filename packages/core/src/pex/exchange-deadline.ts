/**
 * The AbortSignal of one exchange: it aborts when the exchange's deadline passes on the injected
 * clock, or when any parent signal (the caller's, the service's shutdown) aborts. `dispose()`
 * cancels the timer and detaches from the parents, so nothing outlives the exchange.
 */
import type { Clock } from '../clock.js'

export interface ExchangeDeadline {
  readonly signal: AbortSignal
  /** True when the deadline itself (not a parent) aborted the signal. */
  timedOut(): boolean
  dispose(): void
}

export function startExchangeDeadline (
  clock: Clock,
  timeoutMs: number,
  timeoutError: Error,
  parents: ReadonlyArray<AbortSignal | undefined>
): ExchangeDeadline {
  const controller = new AbortController()
  let timedOut = false
  const attached: Array<{ parent: AbortSignal, listener: () => void }> = []

  const timer = clock.setTimeout(() => {
    timedOut = !controller.signal.aborted
    controller.abort(timeoutError)
  }, timeoutMs)

  for (const parent of parents) {
    if (parent === undefined) continue
    if (parent.aborted) {
      controller.abort(parent.reason)
      break
    }
    const listener = (): void => { controller.abort(parent.reason) }
    parent.addEventListener('abort', listener, { once: true })
    attached.push({ parent, listener })
  }

  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      timer.cancel()
      for (const { parent, listener } of attached) parent.removeEventListener('abort', listener)
      attached.length = 0
    }
  }
}
