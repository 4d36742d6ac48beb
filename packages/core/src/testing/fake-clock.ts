/**
 * A deterministic {@link Clock} for tests: time only moves when the test calls `advance()`, and
 * timers fire synchronously inside that call, in due-time order (ties in creation order).
 *
 * @example
 * ```ts
 * const clock = createFakeClock(1_000)
 * clock.setTimeout(() => { fired = true }, 250)
 * clock.advance(250) // fires the timer; clock.now() === 1_250
 * ```
 */
import type { Clock, TimerHandle } from '../clock.js'

export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, each with
   * `now()` set to its own due time. Timers scheduled by a firing timer fire too if they fall
   * due within the same advance.
   */
  advance(ms: number): void
  /** Number of timers scheduled and neither fired nor cancelled. */
  pendingTimers(): number
  /** Due time (epoch ms) of the earliest pending timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined
}

interface FakeTimer {
  dueAt: number
  seq: number
  fn: () => void
}

class FakeClockImpl implements FakeClock {
  private nowMs: number
  private seq = 0
  private readonly timers = new Set<FakeTimer>()

  constructor (startMs: number) {
    this.nowMs = startMs
  }

  now (): number {
    return this.nowMs
  }

  setTimeout (fn: () => void, delayMs: number): TimerHandle {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0
    const timer: FakeTimer = { dueAt: this.nowMs + delay, seq: this.seq++, fn }
    this.timers.add(timer)
    return { cancel: () => { this.timers.delete(timer) } }
  }

  advance (ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance(ms) needs a finite ms ≥ 0')
    const target = this.nowMs + ms
    for (;;) {
      const next = this.earliest()
      if (next === undefined || next.dueAt > target) break
      this.timers.delete(next)
      this.nowMs = Math.max(this.nowMs, next.dueAt)
      next.fn()
    }
    this.nowMs = target
  }

  pendingTimers (): number {
    return this.timers.size
  }

  nextTimerAt (): number | undefined {
    return this.earliest()?.dueAt
  }

  private earliest (): FakeTimer | undefined {
    let best: FakeTimer | undefined
    for (const timer of this.timers) {
      if (best === undefined || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.seq < best.seq)) {
        best = timer
      }
    }
    return best
  }
}

/** Creates a {@link FakeClock} whose `now()` starts at `startMs` (epoch ms). */
export function createFakeClock (startMs = 0): FakeClock {
  return new FakeClockImpl(startMs)
}
