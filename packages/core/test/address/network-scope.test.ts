import { beforeAll, describe, expect, it } from 'vitest'
import { isLoopbackAddress, isPrivateAddress, isRelayedAddress, parseNodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, fill, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
beforeAll(async () => { f = await createAddressFixtures() })

/** [address, loopback, private]. */
const SCOPES: Array<[string, boolean, boolean]> = [
  ['tcp://{A}@127.0.0.1:1', true, true],
  ['tcp://{A}@127.255.1.2:1', true, true],
  ['tcp://{A}@[::1]:1', true, true],
  ['tcp://{A}@[::ffff:127.0.0.1]:1', true, true],
  ['tcp://{A}@localhost:1', true, true],
  ['tcp://{A}@app.localhost:1', true, true],
  ['tcp://{A}@10.0.0.1:1', false, true],
  ['tcp://{A}@172.16.0.1:1', false, true],
  ['tcp://{A}@172.31.255.255:1', false, true],
  ['tcp://{A}@192.168.1.1:1', false, true],
  ['tcp://{A}@169.254.0.1:1', false, true],
  ['tcp://{A}@100.64.0.1:1', false, true],
  ['tcp://{A}@100.127.255.1:1', false, true],
  ['tcp://{A}@[fe80::1]:1', false, true],
  ['tcp://{A}@[febf::1]:1', false, true],
  ['tcp://{A}@[fc00::1]:1', false, true],
  ['tcp://{A}@[fd12:3456::1]:1', false, true],
  ['tcp://{A}@[::ffff:192.168.0.1]:1', false, true],
  ['tcp://{A}@printer.local:1', false, true],
  ['tcp://{A}@db.internal:1', false, true],
  ['tcp://{A}@nas.home.arpa:1', false, true],
  ['tcp://{A}@172.15.0.1:1', false, false],
  ['tcp://{A}@172.32.0.1:1', false, false],
  ['tcp://{A}@100.128.0.1:1', false, false],
  ['tcp://{A}@192.169.0.1:1', false, false],
  ['tcp://{A}@8.8.8.8:1', false, false],
  ['tcp://{A}@[2001:db8::1]:1', false, false],
  ['tcp://{A}@[fec0::1]:1', false, false],
  ['tcp://{A}@[::2]:1', false, false],
  ['wss://{A}@example.com', false, false],
  ['wss://{A}@localhost.example.com', false, false],
  ['wss://{A}@local', false, false],
  ['memory://{A}@node-1', false, false],
  ['webrtc+ws://{A}@127.0.0.1:9090/via/{R}', true, true],
  ['webrtc+ws://{A}@192.168.1.10:9090/via/{R}', false, true],
  ['webrtc+wss://{A}@relay.example.com/via/{R}', false, false]
]

describe('isLoopbackAddress and isPrivateAddress', () => {
  it.each(SCOPES)('judge %s: loopback %s, private %s', (template, loopback, isPrivate) => {
    const a = parseNodeAddress(fill(template, f))
    expect(isLoopbackAddress(a)).toBe(loopback)
    expect(isPrivateAddress(a)).toBe(isPrivate)
  })
})

describe('isRelayedAddress', () => {
  it('is true exactly for webrtc+… and circuit+… addresses', () => {
    const relayed = ['webrtc+wss://{A}@relay.example.com/via/{R}', 'circuit+memory://{A}@relay/via/{R}']
    const direct = ['tcp://{A}@127.0.0.1:1', 'ws://{A}@h', 'wss://{A}@h', 'memory://{A}@m', 'webrtc-direct://{A}@h:1?certhash={CH}']
    for (const t of relayed) expect(isRelayedAddress(parseNodeAddress(fill(t, f)))).toBe(true)
    for (const t of direct) expect(isRelayedAddress(parseNodeAddress(fill(t, f)))).toBe(false)
  })
})
