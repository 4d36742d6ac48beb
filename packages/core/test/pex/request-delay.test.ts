import { describe, expect, it } from 'vitest'
import { PEX_DEFAULTS } from '../../src/pex/constants.js'
import { basePexRequestDelayMs, jitterDelayMs, nextPexRequestDelayMs, type PexRequestDelayInput } from '../../src/pex/request-delay.js'

const middle = (): number => 0.5

describe('nextPexRequestDelayMs', () => {
  describe('without jitter (random() = 0.5)', () => {
    const table: Array<[string, PexRequestDelayInput, number]> = [
      ['asks after about a second when we know nobody', { knownPeers: 0, capacity: 260, lastAddedCount: 0 }, 1_000],
      ['asks after about a second when we know nobody, even after empty responses', { knownPeers: 0, capacity: 260, lastAddedCount: 0, unproductiveStreak: 9 }, 1_000],
      ['asks after about a second while below the minimum degree (starving) and answers add addresses', { knownPeers: 200, capacity: 260, lastAddedCount: 40, starving: true }, 1_000],
      ['doubles while starving for each answer in a row that added nothing', { knownPeers: 200, capacity: 260, lastAddedCount: 0, unproductiveStreak: 3, starving: true }, 8_000],
      ['never waits longer than the base delay while starving', { knownPeers: 260, capacity: 260, lastAddedCount: 0, unproductiveStreak: 12, starving: true }, 30_000],
      ['waits 10 minutes when the book is 95% full', { knownPeers: 247, capacity: 260, lastAddedCount: 50 }, 600_000],
      ['waits 10 minutes when the book is completely full', { knownPeers: 260, capacity: 260, lastAddedCount: 0 }, 600_000],
      ['waits the base delay when the book is nearly empty and nothing new came', { knownPeers: 1, capacity: 0, lastAddedCount: 0 }, 30_000],
      ['keeps the base delay when the last response added one address', { knownPeers: 1, capacity: 0, lastAddedCount: 1 }, 30_000],
      ['keeps the base delay when a response was full of new addresses (a source cannot set our pace)', { knownPeers: 1, capacity: 0, lastAddedCount: 100 }, 30_000],
      ['doubles for each unproductive response in a row', { knownPeers: 1, capacity: 0, lastAddedCount: 0, unproductiveStreak: 2 }, 120_000],
      ['never goes above the full-book delay', { knownPeers: 1, capacity: 0, lastAddedCount: 0, unproductiveStreak: 40 }, 600_000],
      ['stretches as the book fills (half full: twice as long)', { knownPeers: 130, capacity: 260, lastAddedCount: 0 }, 60_000],
      ['treats capacity 0 as unlimited (never full)', { knownPeers: 100_000, capacity: 0, lastAddedCount: 0 }, 30_000],
      ['treats negative and non-finite inputs as zero', { knownPeers: -5, capacity: Number.NaN, lastAddedCount: -1 }, 1_000]
    ]
    for (const [sentence, input, expected] of table) {
      it(sentence, () => {
        expect(nextPexRequestDelayMs(input, middle)).toBe(expected)
      })
    }
  })

  it('never goes below the base delay once we know a peer, however many addresses the last answer added', () => {
    for (let added = 0; added <= 200; added++) {
      for (const knownPeers of [1, 40, 200]) {
        expect(basePexRequestDelayMs({ knownPeers, capacity: 260, lastAddedCount: added })).toBeGreaterThanOrEqual(PEX_DEFAULTS.baseRequestDelayMs)
      }
    }
  })

  it('is monotonic: a fuller book never shortens the delay', () => {
    let previous = 0
    for (let known = 1; known <= 260; known++) {
      const delay = basePexRequestDelayMs({ knownPeers: known, capacity: 260, lastAddedCount: 3 })
      expect(delay).toBeGreaterThanOrEqual(previous)
      previous = delay
    }
  })

  it('jitters within ±requestJitterRatio, drawing from the injected random', () => {
    const input = { knownPeers: 1, capacity: 0, lastAddedCount: 0 }
    expect(nextPexRequestDelayMs(input, () => 0)).toBe(27_000)
    expect(nextPexRequestDelayMs(input, () => 0.999_999)).toBe(33_000)
    expect(nextPexRequestDelayMs(input, () => 0.25)).toBe(28_500)
  })

  it('applies the given options instead of the defaults', () => {
    const options = { ...PEX_DEFAULTS, emptyBookDelayMs: 200, requestJitterRatio: 0 }
    expect(nextPexRequestDelayMs({ knownPeers: 0, capacity: 10, lastAddedCount: 0 }, Math.random, options)).toBe(200)
  })

  it('clamps a random source that strays outside [0, 1)', () => {
    expect(jitterDelayMs(1_000, 0.1, () => 7)).toBe(1_100)
    expect(jitterDelayMs(1_000, 0.1, () => -3)).toBe(900)
  })
})
