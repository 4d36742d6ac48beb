import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../src/backoff.js'

const noJitter = (): number => 0.5

describe('backoffDelayMs', () => {
  it('grows linearly or by doubling, then stays at the cap', () => {
    const linear = [0, 1, 2, 3, 4, 5].map(n => backoffDelayMs({ growth: 'linear', baseMs: 100, capMs: 350 }, n, noJitter))
    expect(linear).toEqual([0, 100, 200, 300, 350, 350])
    const doubling = [0, 1, 2, 3, 4, 5].map(n => backoffDelayMs({ growth: 'exponential', baseMs: 100, capMs: 1_000 }, n, noJitter))
    expect(doubling).toEqual([0, 100, 200, 400, 800, 1_000])
  })

  it('never overflows, and a cap of 0 means uncapped', () => {
    expect(backoffDelayMs({ growth: 'exponential', baseMs: 1_000, capMs: 60_000 }, 1_000_000, noJitter)).toBe(60_000)
    expect(backoffDelayMs({ growth: 'exponential', baseMs: 1, capMs: 0 }, 11, noJitter)).toBe(1_024)
  })

  it('adds up to jitterMs, or scales by ±jitterRatio, and still respects the cap', () => {
    const draws = [0, 0.25, 0.999]
    const added = draws.map(r => backoffDelayMs({ growth: 'linear', baseMs: 100, capMs: 0, jitterMs: 40 }, 2, () => r))
    expect(added).toEqual([200, 210, 239])
    const scaled = draws.map(r => backoffDelayMs({ growth: 'exponential', baseMs: 1_000, capMs: 0, jitterRatio: 0.1 }, 1, () => r))
    expect(scaled).toEqual([900, 950, 1_100])
    expect(backoffDelayMs({ growth: 'linear', baseMs: 100, capMs: 100, jitterMs: 1_000 }, 3, () => 0.9)).toBe(100)
  })
})
