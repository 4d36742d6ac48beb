import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { transportOf } from '../../src/router/connection-kind.js'

const RELAY = '12D3KooWLnRf3b1ZDmfRZnWdB5bZqPbVLKy9HgdNTnDuP6F4gWtR'
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const CERTHASH = 'uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g'

describe('transportOf', () => {
  it.each([
    ['/ip4/127.0.0.1/tcp/4001/ws', 'websocket'],
    ['/ip4/127.0.0.1/tcp/443/tls/ws', 'websocket'],
    [`/ip4/127.0.0.1/udp/4002/webrtc-direct/certhash/${CERTHASH}`, 'webrtc-direct'],
    [`/ip4/127.0.0.1/tcp/4001/ws/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`, 'webrtc'],
    [`/ip4/127.0.0.1/tcp/4001/ws/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, 'circuit'],
    // a direct link signalled through a relay that is itself reached over WebRTC-Direct
    [`/ip4/127.0.0.1/udp/4002/webrtc-direct/certhash/${CERTHASH}/p2p/${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`, 'webrtc'],
    [`/ip4/127.0.0.1/udp/4002/webrtc-direct/certhash/${CERTHASH}/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, 'circuit'],
    ['/memory/a', 'memory'],
    ['/ip4/127.0.0.1/tcp/4001', 'tcp']
  ])('names %s %s', (address, transport) => {
    expect(transportOf(multiaddr(address))).toBe(transport)
  })
})
