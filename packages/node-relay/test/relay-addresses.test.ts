import { describe, expect, it } from 'vitest'
import { browserDialable, secureWebSocketListen, withWebRtcDirectListen } from '../src/relay.js'

const ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

describe('relay addresses', () => {
  it.each([
    ['/ip4/0.0.0.0/tcp/4001/ws', '/ip4/0.0.0.0/tcp/4001/tls/ws'],
    ['/ip6/::/tcp/0/ws', '/ip6/::/tcp/0/tls/ws'],
    ['/ip4/0.0.0.0/tcp/4001/tls/ws', '/ip4/0.0.0.0/tcp/4001/tls/ws'],
    ['/ip4/0.0.0.0/tcp/4001/wss', '/ip4/0.0.0.0/tcp/4001/wss'],
    ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4001'],
    ['/ip4/0.0.0.0/udp/4002/webrtc-direct', '/ip4/0.0.0.0/udp/4002/webrtc-direct']
  ])('with TLS, listens on %s as %s', (given, secured) => {
    expect(secureWebSocketListen(given)).toBe(secured)
  })

  it('adds a WebRTC-Direct listener on the host of the first IP listen address, unless off or already there', () => {
    expect(withWebRtcDirectListen(['/ip4/0.0.0.0/tcp/4001/ws'], 4002)).toEqual(['/ip4/0.0.0.0/tcp/4001/ws', '/ip4/0.0.0.0/udp/4002/webrtc-direct'])
    expect(withWebRtcDirectListen(['/ip6/::1/tcp/0/ws'], 0)).toEqual(['/ip6/::1/tcp/0/ws', '/ip6/::1/udp/0/webrtc-direct'])
    expect(withWebRtcDirectListen(['/webrtc'], 0)).toEqual(['/webrtc', '/ip4/127.0.0.1/udp/0/webrtc-direct'])
    expect(withWebRtcDirectListen(['/ip4/0.0.0.0/tcp/4001/ws'], null)).toEqual(['/ip4/0.0.0.0/tcp/4001/ws'])
    expect(withWebRtcDirectListen(['/ip4/127.0.0.1/udp/9/webrtc-direct'], 0)).toEqual(['/ip4/127.0.0.1/udp/9/webrtc-direct'])
  })

  it('hands browsers wss, ws and webrtc-direct addresses, in that order, and nothing else', () => {
    const direct = `webrtc-direct://${ID}@127.0.0.1:4002?certhash=uEiCJkyfWXSsbET6xo-1GWSaUtOKlp1Mk3iR-Elw2haaHLw`
    const ws = `ws://${ID}@127.0.0.1:4001`
    const wss = `wss://${ID}@relay.example.org:443`
    const tcp = `tcp://${ID}@127.0.0.1:4003`
    expect(browserDialable([direct, tcp, ws, 'not an address', wss])).toEqual([wss, ws, direct])
  })
})
