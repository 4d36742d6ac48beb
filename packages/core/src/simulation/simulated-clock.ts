/**
 * One clock shared by every simulated node: the core's {@link Clock} over a priority queue of
 * timers. Time only moves when the simulation runs the queue: each timer fires with `now()` at
 * its due time, in due-time order (ties in the order they were set), and after each timer every
 * promise continuation it caused runs before the next timer fires, so the production code's async
 * loops (`dialNext()`, `evictNext()`, the peer-exchange scheduler) see the time they expect.
 *
 * Nothing here reads the wall clock or real timers except `setImmediate`, used only to let the
 * microtask queue drain between two simulated events (it carries no time).
 */
import type { Clock, TimerHandle } from '../clock.js'

interface Timer {
  dueAt: number
  seq: number
  fn: (() => void) | undefined
}

export interface SimulatedClock extends Clock {
  /** Timers set and neither fired nor cancelled. */
  pendingTimers(): number
  /** Due time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined
  /** Timers fired since the clock was created (the simulator's event count). */
  readonly firedTimers: number
  /**
   * Fires every timer due at or before `untilMs` (and those they set, if also due by then), then
   * sets the time to `untilMs`. `stop()`, checked after each timer, ends the run early (the time
   * then stays at that timer's due time). Resolves with the time reached.
   */
  runUntil(untilMs: number, stop?: () => boolean): Promise<number>
}

/** Lets every pending promise continuation run (a macrotask turn; no time passes on the clock). */
async function drainMicrotasks (): Promise<void> {
  await new Promise<void>(resolve => { setImmediate(resolve) })
}

class SimulatedClockImpl implements SimulatedClock {
  private nowMs: number
  private seq = 0
  private readonly heap: Timer[] = []
  private live = 0
  firedTimers = 0

  constructor (startMs: number) {
    this.nowMs = startMs
  }

  now (): number {
    return this.nowMs
  }

  setTimeout (fn: () => void, delayMs: number): TimerHandle {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0
    const timer: Timer = { dueAt: this.nowMs + delay, seq: this.seq++, fn }
    this.push(timer)
    this.live++
    return {
      cancel: () => {
        if (timer.fn === undefined) return
        timer.fn = undefined
        this.live--
        // cancelled timers stay in the heap until popped; compact when they dominate it
        if (this.heap.length > 1024 && this.live < this.heap.length / 4) this.compact()
      }
    }
  }

  pendingTimers (): number {
    return this.live
  }

  nextTimerAt (): number | undefined {
    this.dropCancelledTop()
    return this.heap[0]?.dueAt
  }

  async runUntil (untilMs: number, stop?: () => boolean): Promise<number> {
    for (;;) {
      this.dropCancelledTop()
      const next = this.heap[0]
      if (next === undefined || next.dueAt > untilMs) break
      this.pop()
      const fn = next.fn as () => void
      next.fn = undefined
      this.live--
      this.nowMs = Math.max(this.nowMs, next.dueAt)
      this.firedTimers++
      fn()
      await drainMicrotasks()
      if (stop?.() === true) return this.nowMs
    }
    this.nowMs = Math.max(this.nowMs, untilMs)
    return this.nowMs
  }

  private dropCancelledTop (): void {
    while (this.heap.length > 0 && (this.heap[0] as Timer).fn === undefined) this.pop()
  }

  private compact (): void {
    const kept = this.heap.filter(t => t.fn !== undefined)
    this.heap.length = 0
    for (const t of kept) this.push(t)
  }

  private push (timer: Timer): void {
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(timer, heap[parent] as Timer)) break
      heap[i] = heap[parent] as Timer
      i = parent
    }
    heap[i] = timer
  }

  private pop (): Timer | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && before(heap[right] as Timer, heap[left] as Timer) ? right : left
      if (!before(heap[child] as Timer, last)) break
      heap[i] = heap[child] as Timer
      i = child
    }
    heap[i] = last
    return top
  }
}

function before (a: Timer, b: Timer): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq)
}

/** A simulated clock whose `now()` starts at `startMs` (epoch ms). */
export function createSimulatedClock (startMs = 1_700_000_000_000): SimulatedClock {
  return new SimulatedClockImpl(startMs)
}
