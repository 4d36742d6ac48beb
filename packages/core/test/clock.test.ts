import { describe, expect, it } from 'vitest'
import { systemClock } from '../src/clock.js'

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
