import { describe, expect, it } from 'vitest'
import { createFakeClock } from '../../src/testing/fake-clock.js'

describe('createFakeClock', () => {
  it('starts at the given time and only moves on advance', () => {
    const clock = createFakeClock(1_000)
    expect(clock.now()).toBe(1_000)
    clock.advance(250)
    expect(clock.now()).toBe(1_250)
  })

  it('fires due timers in order, each at its own due time', () => {
    const clock = createFakeClock(0)
    const fired: Array<[string, number]> = []
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20)
    clock.setTimeout(() => fired.push(['a', clock.now()]), 10)
    clock.setTimeout(() => fired.push(['c', clock.now()]), 20)
    clock.setTimeout(() => fired.push(['late', clock.now()]), 31)
    clock.advance(30)
    expect(fired).toEqual([['a', 10], ['b', 20], ['c', 20]])
    expect(clock.pendingTimers()).toBe(1)
    expect(clock.nextTimerAt()).toBe(31)
  })

  it('fires timers scheduled by a firing timer within the same advance', () => {
    const clock = createFakeClock(0)
    const fired: number[] = []
    clock.setTimeout(() => {
      fired.push(clock.now())
      clock.setTimeout(() => fired.push(clock.now()), 5)
    }, 5)
    clock.advance(10)
    expect(fired).toEqual([5, 10])
    expect(clock.pendingTimers()).toBe(0)
  })

  it('never fires a cancelled timer', () => {
    const clock = createFakeClock(0)
    let fired = false
    const handle = clock.setTimeout(() => { fired = true }, 5)
    handle.cancel()
    clock.advance(10)
    expect(fired).toBe(false)
    expect(clock.pendingTimers()).toBe(0)
  })

  it('refuses to move backwards', () => {
    expect(() => { createFakeClock(0).advance(-1) }).toThrow(RangeError)
  })
})
