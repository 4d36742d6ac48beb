import { describe, expect, it } from 'vitest'
import { InvalidIceParamError, iceServersFromUrl, pageOptionsFromUrl, peerManagerOverrides } from '../src/page-options.js'

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

describe('iceServersFromUrl', () => {
  it('is undefined without ?ice=', () => {
    expect(iceServersFromUrl('https://peermesh.test/')).toBeUndefined()
  })

  it('reads comma-separated URLs', () => {
    expect(iceServersFromUrl('https://peermesh.test/?ice=stun:198.19.0.10:3478,turn:198.19.0.10:3478'))
      .toEqual([{ urls: 'stun:198.19.0.10:3478' }, { urls: 'turn:198.19.0.10:3478' }])
  })

  it('reads a URL-encoded JSON array with TURN credentials', () => {
    const servers = [{ urls: ['turn:198.19.0.10:3478?transport=udp'], username: '1700003600:peermesh', credential: '1yZyeHRhNjxjjiTv19Y2BjkaVOM=' }]
    const url = new URL('https://peermesh.test/')
    url.searchParams.set('ice', JSON.stringify(servers))
    expect(iceServersFromUrl(url)).toEqual(servers)
  })

  it('reads an empty list as "host candidates only"', () => {
    expect(iceServersFromUrl('https://peermesh.test/?ice=%5B%5D')).toEqual([])
  })

  it.each([
    ['http://198.19.0.10:3478', /expected stun:, stuns:, turn: or turns: URLs/],
    ['', /expected stun:/],
    ['[{"urls":"turn:x","credential":5}]', /credential must be a string/],
    ['[{"urls"', /not valid JSON/]
  ])('refuses ?ice=%j with a message that shows the expected form', (value, reason) => {
    const url = `https://peermesh.test/?ice=${encodeURIComponent(value)}`
    expect(() => iceServersFromUrl(url)).toThrow(InvalidIceParamError)
    expect(() => iceServersFromUrl(url)).toThrow(reason)
    expect(() => iceServersFromUrl(url)).toThrow(/Expected comma-separated stun:\/turn: URLs/)
  })
})
