import { beforeAll, describe, expect, it } from 'vitest'
import { Circuit, Memory, TCP, WebRTC, WebRTCDirect, WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { parseNodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, fill, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
beforeAll(async () => { f = await createAddressFixtures() })

/** Each kind, and the matcher libp2p 3's transport for it dials with (its `dialFilter`). */
const DIALABLE: Array<[string, { exactMatch: (ma: never) => boolean }]> = [
  ['tcp://{A}@192.0.2.1:4001', TCP],
  ['tcp://{A}@[2001:db8::1]:4001', TCP],
  ['ws://{A}@127.0.0.1:9090', WebSockets],
  ['ws://{A}@example.com', WebSockets],
  ['wss://{A}@relay.example.com', WebSocketsSecure],
  ['wss://{A}@192.0.2.1?sni=relay.example.com', WebSocketsSecure],
  ['webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}', WebRTCDirect],
  ['webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}&certhash={CH2}', WebRTCDirect],
  ['memory://{A}@node-1', Memory],
  ['webrtc+wss://{A}@relay.example.com/via/{R}', WebRTC],
  ['webrtc+ws://{A}@127.0.0.1:9090/via/{R}', WebRTC],
  ['webrtc+tcp://{A}@192.0.2.1:4001/via/{R}', WebRTC],
  ['webrtc+webrtc-direct://{A}@192.0.2.1:4002/via/{R}?certhash={CH}', WebRTC],
  ['circuit+ws://{A}@127.0.0.1:9090/via/{R}', Circuit],
  ['circuit+wss://{A}@relay.example.com/via/{R}', Circuit]
]

describe('NodeAddress.toMultiaddr', () => {
  it.each(DIALABLE)('writes %s in the form libp2p dials', (template, matcher) => {
    const ma = parseNodeAddress(fill(template, f)).toMultiaddr()
    expect(matcher.exactMatch(ma as never)).toBe(true)
  })

  it('writes relays over memory in a form libp2p 3 does not dial (documented limitation)', () => {
    const webrtc = parseNodeAddress(fill('webrtc+memory://{A}@relay/via/{R}', f)).toMultiaddr()
    const circuit = parseNodeAddress(fill('circuit+memory://{A}@relay/via/{R}', f)).toMultiaddr()
    expect(WebRTC.exactMatch(webrtc)).toBe(false)
    expect(Circuit.exactMatch(circuit)).toBe(false)
  })
})
