import { describe, expect, it } from 'vitest'
import { increaseSinceLastRead, increasesSinceLastRead } from '../../src/node/mesh-metrics.js'


describe('mesh metrics › counters', () => {
  it('increaseSinceLastRead returns the growth of a running total, never a decrease', () => {
    let total = 5
    const read = increaseSinceLastRead(() => total)
    expect(read()).toBe(5)
    expect(read()).toBe(0)
    total = 8
    expect(read()).toBe(3)
    total = 2 // the source was replaced and counts again from 0: nothing is added
    expect(read()).toBe(0)
    total = 4
    expect(read()).toBe(2)
  })

  it('increasesSinceLastRead does the same per label, and reports labels that stay at 0', () => {
    const totals = { a: 1, b: 0 }
    const read = increasesSinceLastRead(() => ({ ...totals }))
    expect(read()).toEqual({ a: 1, b: 0 })
    totals.b = 4
    expect(read()).toEqual({ a: 0, b: 4 })
  })
})
