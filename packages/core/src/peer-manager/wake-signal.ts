/**
 * The wake-up signal behind `dialNext()` and `evictNext()`: they loop over the synchronous
 * `tryDialNext()` / `tryEvictNext()` and, when those give nothing, wait here until the manager
 * changes state (`wake()`), until a deadline passes on the injected clock (a retry delay, a
 * cooldown or a ban ends), or until they are aborted or the manager closes.
 *
 * JavaScript runs each synchronous call to completion, so a waiter registered right after a
 * `try…()` that found nothing cannot miss a wake-up in between: no lost wake-ups by design.
 * One clock timer at most, armed for the earliest deadline any waiter asked for, and cancelled as
 * soon as nobody waits.
 */
import type { Clock, TimerHandle } from '../clock.js'

/**
 * The longest delay one timer is armed for: `setTimeout` in Node.js and browsers fires at once
 * for anything above 2^31 − 1 ms (about 24.8 days), so a far deadline (a ban "forever") would
 * otherwise wake the waiters every millisecond. A waiter woken early just checks and waits again.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

interface Waiter {
  wakeAtMs: number
  resolve: () => void
  reject: (err: unknown) => void
  signal: AbortSignal | undefined
  onAbort: () => void
}

export class WakeSignal {
  private readonly clock: Clock
  private readonly waiters = new Set<Waiter>()
  private timer: TimerHandle | undefined
  private timerAtMs = Infinity
  private closedWith: Error | undefined

  constructor (clock: Clock) {
    this.clock = clock
  }

  /** Number of callers currently waiting. */
  get waiting (): number {
    return this.waiters.size
  }

  /**
   * Resolves on the next `wake()` or when the clock reaches `wakeAtMs` (if finite); rejects with
   * the abort reason or the error given to `close()`.
   */
  async wait (signal?: AbortSignal, wakeAtMs = Infinity): Promise<void> {
    if (this.closedWith !== undefined) throw this.closedWith
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        wakeAtMs,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.remove(waiter)
          reject(signal?.reason)
        }
      }
      this.waiters.add(waiter)
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
      this.rearm()
    })
  }

  /** Releases every waiter (they re-check the state and wait again if still nothing to do). */
  wake (): void {
    const waiters = [...this.waiters]
    for (const waiter of waiters) {
      this.remove(waiter)
      waiter.resolve()
    }
  }

  /** Rejects every waiter, and every later `wait()`, with `error`; cancels the timer. */
  close (error: Error): void {
    this.closedWith = error
    const waiters = [...this.waiters]
    for (const waiter of waiters) {
      this.remove(waiter)
      waiter.reject(error)
    }
    this.rearm()
  }

  private remove (waiter: Waiter): void {
    this.waiters.delete(waiter)
    waiter.signal?.removeEventListener('abort', waiter.onAbort)
    this.rearm()
  }

  /** Keeps exactly one timer, for the earliest finite deadline among the waiters. */
  private rearm (): void {
    let earliest = Infinity
    for (const waiter of this.waiters) earliest = Math.min(earliest, waiter.wakeAtMs)
    if (earliest === this.timerAtMs) return
    this.timer?.cancel()
    this.timer = undefined
    this.timerAtMs = earliest
    if (earliest === Infinity) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAtMs = Infinity
      this.wake()
    }, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, earliest - this.clock.now())))
  }
}
