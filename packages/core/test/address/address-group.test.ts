import { beforeAll, describe, expect, it } from 'vitest'
import { addressGroup, parseNodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, fill, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
beforeAll(async () => { f = await createAddressFixtures() })

const GROUPS: Array<[string, string]> = [
  ['tcp://{A}@203.0.113.7:4001', 'ip4:203.0.113.0/24'],
  ['ws://{A}@203.0.113.250', 'ip4:203.0.113.0/24'],
  ['tcp://{A}@10.1.2.3:1', 'ip4:10.1.2.0/24'],
  ['tcp://{A}@[2001:db8:1:2::1]:1', 'ip6:2001:db8:1::/48'],
  ['tcp://{A}@[2001:db8:1:ffff::1]:1', 'ip6:2001:db8:1::/48'],
  ['tcp://{A}@[2001:0db8:00ab::]:1', 'ip6:2001:db8:ab::/48'],
  ['tcp://{A}@[::1]:1', 'ip6:0:0:0::/48'],
  ['tcp://{A}@[::ffff:203.0.113.7]:1', 'ip4:203.0.113.0/24'],
  ['wss://{A}@example.com', 'dns:example.com'],
  ['wss://{A}@a.b.example.com', 'dns:example.com'],
  ['wss://{A}@node.example.co.uk', 'dns:example.co.uk'],
  ['wss://{A}@example.co.uk', 'dns:example.co.uk'],
  ['wss://{A}@x.y.example.de', 'dns:example.de'],
  ['tcp://{A}@localhost:1', 'dns:localhost'],
  ['memory://{A}@node-1', 'memory'],
  ['webrtc+wss://{A}@relay.example.com/via/{R}', 'relay:{R}'],
  ['circuit+tcp://{A}@203.0.113.7:1/via/{R}', 'relay:{R}']
]

describe('addressGroup', () => {
  it.each(GROUPS)('puts %s in %s', (template, group) => {
    expect(addressGroup(parseNodeAddress(fill(template, f)))).toBe(fill(group, f))
  })

  it('separates neighbouring /24s and /48s', () => {
    const group = (t: string): string => addressGroup(parseNodeAddress(fill(t, f)))
    expect(group('tcp://{A}@203.0.113.7:1')).not.toBe(group('tcp://{A}@203.0.114.7:1'))
    expect(group('tcp://{A}@[2001:db8:1::1]:1')).not.toBe(group('tcp://{A}@[2001:db8:2::1]:1'))
    expect(group('wss://{A}@example.com')).not.toBe(group('wss://{A}@example.org'))
  })

  it('gives every peer behind one relay the same group, whatever the relay transport', () => {
    const viaWss = addressGroup(parseNodeAddress(fill('webrtc+wss://{A}@relay.example.com/via/{R}', f)))
    const viaTcp = addressGroup(parseNodeAddress(fill('circuit+tcp://{B}@192.0.2.1:1/via/{R}', f)))
    expect(viaWss).toBe(viaTcp)
  })
})
