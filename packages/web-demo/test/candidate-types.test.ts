import { describe, expect, it } from 'vitest'
import { candidatePairLabel, sameCandidatePairs, viaTurn } from '../src/candidate-types.js'

describe('candidate pairs', () => {
  it('says a link goes through TURN when either end is relayed', () => {
    expect(viaTurn({ local: 'relay', remote: 'prflx' })).toBe(true)
    expect(viaTurn({ local: 'srflx', remote: 'relay' })).toBe(true)
    expect(viaTurn({ local: 'srflx', remote: 'srflx' })).toBe(false)
    expect(candidatePairLabel({ local: 'host', remote: 'host' })).toBe('host ↔ host')
  })

  it('compares pair maps by their candidate types', () => {
    const a = new Map([['p', { local: 'host' as const, remote: 'host' as const }]])
    expect(sameCandidatePairs(a, new Map([['p', { local: 'host', remote: 'host', protocol: 'udp' }]]))).toBe(true)
    expect(sameCandidatePairs(a, new Map([['p', { local: 'host', remote: 'srflx' }]]))).toBe(false)
    expect(sameCandidatePairs(a, new Map())).toBe(false)
  })
})
