import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createConnectionGater, deniedByDialAddressPolicy, type DialAddressPolicy } from '../../src/libp2p/connection-gater.js'

const relay = '12D3KooWQTCXbS3nN3ewE33yWryUczv5QUigwpoJLodarBPpS4AG'
const member = '12D3KooWFo2Jabno9PSctmhjgu3XFRsA9y2V4nYAKx68KoRxRd3z'
const open: DialAddressPolicy = { allowInsecureWebSockets: true, allowPrivateAddresses: true }
const noInsecure: DialAddressPolicy = { allowInsecureWebSockets: false, allowPrivateAddresses: true }
const noPrivate: DialAddressPolicy = { allowInsecureWebSockets: true, allowPrivateAddresses: false }
const strict: DialAddressPolicy = { allowInsecureWebSockets: false, allowPrivateAddresses: false }

describe('dial address policy', () => {
  it.each([
    // address, denied by [open, noInsecure, noPrivate, strict]
    ['/ip4/127.0.0.1/tcp/9000/ws', [false, true, true, true]],
    [`/ip4/127.0.0.1/tcp/9000/ws/p2p/${relay}/p2p-circuit/webrtc/p2p/${member}`, [false, true, true, true]],
    ['/ip4/192.168.1.20/tcp/443/wss', [false, false, true, true]],
    ['/ip4/10.0.0.1/tcp/443/tls/ws', [false, false, true, true]],
    ['/ip4/8.8.4.4/tcp/9000/ws', [false, true, false, true]],
    ['/ip4/8.8.4.4/tcp/443/wss', [false, false, false, false]],
    ['/dns4/relay.example.com/tcp/443/wss', [false, false, false, false]],
    ['/dns4/localhost/tcp/9000/ws', [false, true, true, true]],
    ['/ip6/::1/tcp/9000/ws', [false, true, true, true]],
    [`/memory/${member}`, [false, false, false, false]]
  ])('%s is denied as %j under [open, no-insecure, no-private, strict]', (address, expected) => {
    const ma = multiaddr(address)
    expect([open, noInsecure, noPrivate, strict].map((policy) => deniedByDialAddressPolicy(ma, policy))).toEqual(expected)
  })
})

describe('createConnectionGater', () => {
  it('asks the extra denyDialMultiaddr only for addresses the policy allows', async () => {
    const asked: string[] = []
    const gater = createConnectionGater(noInsecure, {
      denyDialMultiaddr: (ma) => { asked.push(ma.toString()); return ma.toString().includes('9.9.9.9') }
    })
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/9000/ws'))).toBe(true)
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/8.8.4.4/tcp/443/wss'))).toBe(false)
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/9.9.9.9/tcp/443/wss'))).toBe(true)
    expect(asked).toEqual(['/ip4/8.8.4.4/tcp/443/wss', '/ip4/9.9.9.9/tcp/443/wss'])
  })

  it('keeps the other hooks of a class instance bound to it', async () => {
    class Bans {
      readonly banned = new Set([member])
      denyDialPeer (peerId: { toString: () => string }): boolean {
        return this.banned.has(peerId.toString())
      }
    }
    const gater = createConnectionGater(open, new Bans())
    expect(await gater.denyDialPeer?.({ toString: () => member } as never)).toBe(true)
    expect(await gater.denyDialPeer?.({ toString: () => relay } as never)).toBe(false)
    expect(gater.denyInboundConnection).toBeUndefined()
  })
})
