import { describe, expect, it } from 'vitest'
import { browserPeerManagerOptions, validatePeerManagerOptions, type PeerManagerOptions } from '@peermesh/core'
import { InvalidIceParamError, MAX_CONNECTED_RANGE, iceServersFromUrl, pageOptionsFromUrl, peerManagerOverrides } from '../src/page-options.js'

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
  it('changes nothing without page options', () => {
    expect(peerManagerOverrides({}, browserPeerManagerOptions)).toEqual({})
  })

  it('lowers the outbound cap and the minimum degree to a small maxConnected, the rest as the preset', () => {
    expect(peerManagerOverrides({ maxConnected: 2 }, browserPeerManagerOptions))
      .toEqual({ ...browserPeerManagerOptions, maxConnected: 2, maxOutgoingConnections: 2, minConnected: 2 })
  })

  it('keeps the preset caps under a large maxConnected', () => {
    expect(peerManagerOverrides({ maxConnected: 50 }, browserPeerManagerOptions))
      .toEqual({ ...browserPeerManagerOptions, maxConnected: 50 })
  })

  it('gives options core accepts for every maxConnected the page allows', () => {
    for (let maxConnected = MAX_CONNECTED_RANGE.min; maxConnected <= MAX_CONNECTED_RANGE.max; maxConnected++) {
      const options = peerManagerOverrides({ maxConnected }, browserPeerManagerOptions) as PeerManagerOptions
      expect(validatePeerManagerOptions(options)).toMatchObject({ maxConnected })
    }
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
