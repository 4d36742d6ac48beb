import { describe, expect, it } from 'vitest'
import { systemClock, timeoutSignal } from '../src/clock.js'
import { createFakeClock } from '../src/testing/fake-clock.js'

describe('systemClock', () => {
  it('cancels a timer before it fires', async () => {
    let fired = false
    const handle = systemClock.setTimeout(() => { fired = true }, 0)
    handle.cancel()
    await new Promise<void>(resolve => { systemClock.setTimeout(resolve, 5) })
    expect(fired).toBe(false)
  })
  it('reads the wall clock', () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000)
  })
})

describe('timeoutSignal', () => {
  it('aborts after its delay on the injected clock, with a TimeoutError', () => {
    const clock = createFakeClock(1_000)
    const { signal } = timeoutSignal(clock, 500)
    clock.advance(499)
    expect(signal.aborted).toBe(false)
    clock.advance(1)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' })
  })

  it('never aborts once cancelled', () => {
    const clock = createFakeClock()
    const { signal, cancel } = timeoutSignal(clock, 500)
    cancel()
    clock.advance(10_000)
    expect(signal.aborted).toBe(false)
  })
})
