import { describe, expect, it } from 'vitest'
import { pageOptionsFromUrl } from '../src/page-options.js'

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
