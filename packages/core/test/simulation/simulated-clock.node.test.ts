import { describe, expect, it } from 'vitest'
import { createSimulatedClock } from '../../src/simulation/simulated-clock.js'
import { delay } from '../../src/clock.js'
import { seededRandom, randomStream } from '../../src/simulation/seeded-random.js'

describe('createSimulatedClock', () => {
  it('fires timers in due-time order, ties in the order they were set, each at its own time', async () => {
    const clock = createSimulatedClock(0)
    const fired: Array<[string, number]> = []
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20)
    clock.setTimeout(() => fired.push(['a', clock.now()]), 10)
    clock.setTimeout(() => fired.push(['c', clock.now()]), 20)
    clock.setTimeout(() => fired.push(['late', clock.now()]), 31)
    expect(await clock.runUntil(30)).toBe(30)
    expect(fired).toEqual([['a', 10], ['b', 20], ['c', 20]])
    expect(clock.pendingTimers()).toBe(1)
    expect(clock.nextTimerAt()).toBe(31)
  })

  it('runs every promise continuation a timer caused before the next timer fires', async () => {
    const clock = createSimulatedClock(0)
    const seen: Array<[string, number]> = []
    const worker = async (): Promise<void> => {
      await delay(clock, 10)
      await Promise.resolve()
      await Promise.resolve()
      seen.push(['worker after 10', clock.now()])
      await delay(clock, 5)
      seen.push(['worker after 15', clock.now()])
    }
    void worker()
    clock.setTimeout(() => seen.push(['timer at 11', clock.now()]), 11)
    await clock.runUntil(100)
    expect(seen).toEqual([['worker after 10', 10], ['timer at 11', 11], ['worker after 15', 15]])
  })

  it('never fires a cancelled timer, and compacts a heap full of cancelled ones', async () => {
    const clock = createSimulatedClock(0)
    let fired = 0
    const handles = Array.from({ length: 5000 }, (_, i) => clock.setTimeout(() => { fired++ }, i))
    for (const h of handles.slice(0, 4990)) h.cancel()
    expect(clock.pendingTimers()).toBe(10)
    await clock.runUntil(10_000)
    expect(fired).toBe(10)
    expect(clock.firedTimers).toBe(10)
  })

  it('stops early when asked, at the time of the timer that made it stop', async () => {
    const clock = createSimulatedClock(0)
    let n = 0
    const tick = (): void => { n++; clock.setTimeout(tick, 100) }
    clock.setTimeout(tick, 100)
    expect(await clock.runUntil(10_000, () => n === 3)).toBe(300)
  })
})

describe('seededRandom', () => {
  it('gives the same numbers for the same seed, others for another seed or stream', () => {
    const a = Array.from({ length: 5 }, seededRandom(42))
    expect(Array.from({ length: 5 }, seededRandom(42))).toEqual(a)
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(a)
    expect(Array.from({ length: 5 }, randomStream(42, 'x'))).not.toEqual(Array.from({ length: 5 }, randomStream(42, 'y')))
    for (const v of a) expect(v >= 0 && v < 1).toBe(true)
  })
})
