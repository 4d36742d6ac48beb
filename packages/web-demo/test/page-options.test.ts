import { describe, expect, it } from 'vitest'
import { pageOptionsFromUrl, peerManagerOverrides } from '../src/page-options.js'

describe('pageOptionsFromUrl', () => {
  it('reads maxConnected', () => {
    expect(pageOptionsFromUrl('http://127.0.0.1/?maxConnected=3')).toEqual({ options: { maxConnected: 3 }, ignored: [] })
  })

  it('sets nothing without parameters', () => {
    expect(pageOptionsFromUrl('http://127.0.0.1/')).toEqual({ options: {}, ignored: [] })
  })

  it.each(['0', '-1', '2.5', 'abc', '', '257', '99999'])('ignores maxConnected=%j and says so', (value) => {
    const result = pageOptionsFromUrl(`http://127.0.0.1/?maxConnected=${encodeURIComponent(value)}`)
    expect(result.options).toEqual({})
    expect(result.ignored).toHaveLength(1)
    expect(result.ignored[0]).toContain('maxConnected')
  })
})

describe('peerManagerOverrides', () => {
  const preset = { maxConnected: 8, maxOutgoingConnections: 6, minConnected: 3 }

  it('changes nothing without page options', () => {
    expect(peerManagerOverrides({}, preset)).toEqual({})
  })

  it('lowers the outbound cap and the minimum degree to a small maxConnected', () => {
    expect(peerManagerOverrides({ maxConnected: 2 }, preset)).toEqual({ maxConnected: 2, maxOutgoingConnections: 2, minConnected: 2 })
  })

  it('keeps the preset caps under a large maxConnected', () => {
    expect(peerManagerOverrides({ maxConnected: 50 }, preset)).toEqual({ maxConnected: 50, maxOutgoingConnections: 6, minConnected: 3 })
  })
})
