import { beforeAll, describe, expect, it } from 'vitest'
import { isMultiaddr } from '@multiformats/multiaddr'
import { NodeAddress, parseNodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, fill, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
beforeAll(async () => { f = await createAddressFixtures() })

describe('NodeAddress', () => {
  it('is frozen, and so is its certhash list', () => {
    const a = parseNodeAddress(fill('webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}', f))
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen(a.certhashes)).toBe(true)
    expect(() => { (a as { port: number | undefined }).port = 1 }).toThrow(TypeError)
    expect(() => { (a.certhashes as string[]).push('x') }).toThrow(TypeError)
    expect(a.port).toBe(4002)
  })

  it('cannot be constructed outside the parsers', () => {
    const Construct = NodeAddress as unknown as new (token: symbol, fields: object) => NodeAddress
    expect(() => new Construct(Symbol('NodeAddress.construct'), {})).toThrow(TypeError)
  })

  it('exposes the parts of a direct address', () => {
    const a = parseNodeAddress(fill('wss://{A}@[2001:DB8::1]', f))
    expect(a).toMatchObject({
      protocol: 'wss',
      scheme: 'wss',
      peerId: f.ed25519[0],
      hostType: 'ip6',
      hostname: '2001:db8::1',
      port: 443,
      path: '',
      certhashes: [],
      sni: undefined,
      relay: undefined
    })
  })

  it('has no port for memory addresses', () => {
    const a = parseNodeAddress(fill('memory://{A}@node-1', f))
    expect(a).toMatchObject({ protocol: 'memory', hostType: 'memory', hostname: 'node-1', port: undefined })
  })

  it('gives a relayed address the relay\'s host, port and certhashes, a /via/ path and the relay\'s own address', () => {
    const a = parseNodeAddress(fill('webrtc+webrtc-direct://{A}@192.0.2.1:4002/via/{R}?certhash={CH}', f))
    expect(a).toMatchObject({
      protocol: 'webrtc',
      scheme: 'webrtc+webrtc-direct',
      peerId: f.ed25519[0],
      hostType: 'ip4',
      hostname: '192.0.2.1',
      port: 4002,
      path: `/via/${f.ed25519[2]}`,
      certhashes: [f.certhash]
    })
    expect(a.relay?.toString()).toBe(fill('webrtc-direct://{R}@192.0.2.1:4002?certhash={CH}', f))
    expect(a.relay?.relay).toBeUndefined()
  })

  it('gives a circuit address the circuit protocol', () => {
    const a = parseNodeAddress(fill('circuit+ws://{A}@127.0.0.1:9090/via/{R}', f))
    expect(a.protocol).toBe('circuit')
    expect(a.relay?.toString()).toBe(fill('ws://{R}@127.0.0.1:9090', f))
  })

  describe('equals', () => {
    it('is true for two spellings of the same address', () => {
      const a = parseNodeAddress(fill('WS://{A}@LOCALHOST:80/', f))
      const b = parseNodeAddress(fill('/dns4/localhost/tcp/80/ws/p2p/{A}', f))
      expect(a.equals(b)).toBe(true)
      expect(b.equals(a)).toBe(true)
    })

    it('is false for another peer, host, port or transport', () => {
      const a = parseNodeAddress(fill('tcp://{A}@127.0.0.1:1', f))
      for (const other of ['tcp://{B}@127.0.0.1:1', 'tcp://{A}@127.0.0.2:1', 'tcp://{A}@127.0.0.1:2', 'ws://{A}@127.0.0.1:1']) {
        expect(a.equals(parseNodeAddress(fill(other, f)))).toBe(false)
      }
    })

    it('is false for nothing and for look-alikes that are not NodeAddresses', () => {
      const a = parseNodeAddress(fill('tcp://{A}@127.0.0.1:1', f))
      expect(a.equals(undefined)).toBe(false)
      expect(a.equals(null)).toBe(false)
      expect(a.equals({ ...a, toString: () => a.toString() } as unknown as NodeAddress)).toBe(false)
      expect(a.equals(Object.create(NodeAddress.prototype) as NodeAddress)).toBe(false)
    })
  })

  it('serialises to its URL in JSON', () => {
    const a = parseNodeAddress(fill('webrtc+wss://{A}@relay.example.com/via/{R}', f))
    expect(JSON.stringify({ address: a })).toBe(JSON.stringify({ address: a.toString() }))
    expect(a.toJSON()).toBe(a.toString())
    expect(`${a}`).toBe(a.toString())
  })

  it('hands out a new Multiaddr on every call', () => {
    const a = parseNodeAddress(fill('tcp://{A}@127.0.0.1:1', f))
    const first = a.toMultiaddr()
    expect(isMultiaddr(first)).toBe(true)
    expect(a.toMultiaddr()).not.toBe(first)
    expect(a.toMultiaddr().equals(first)).toBe(true)
  })
})
