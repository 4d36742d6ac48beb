/**
 * Property-based tests: generated addresses of every kind survive URL → string → URL and
 * URL → multiaddr → URL unchanged, and no input whatsoever makes the parsers throw anything but
 * InvalidNodeAddressError.
 */
import fc from 'fast-check'
import { multiaddr } from '@multiformats/multiaddr'
import { toString as bytesToString } from 'uint8arrays/to-string'
import { beforeAll, describe, expect, it } from 'vitest'
import { InvalidNodeAddressError, nodeAddressFromMultiaddr, parseNodeAddress, type NodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, LEGACY_RSA_PEER_ID, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
let peerIds: string[]
beforeAll(async () => {
  f = await createAddressFixtures()
  peerIds = [...f.ed25519, f.secp256k1, f.rsa, LEGACY_RSA_PEER_ID]
})

type Direct = 'tcp' | 'ws' | 'wss' | 'webrtc-direct' | 'memory'

/** One generated address, with what its parts must come out as. */
interface Generated {
  url: string
  /** The same address spelled as a multiaddr, in one of the spellings libp2p emits. */
  ma: string
  peerId: string
  protocol: string
  hostname: string
  port: number | undefined
  /** URL pieces, for building a relayed address on top: scheme as spelled, host[:port], query. */
  scheme: string
  hostPort: string
  query: string
}

interface Host { url: string, ma: string, hostname: string, dnsName?: string }

function hostArbitrary (): fc.Arbitrary<Host> {
  const ip4 = fc.ipV4().filter(ip => ip !== '0.0.0.0').map(ip => ({ url: ip, ma: `/ip4/${ip}`, hostname: ip }))
  const ip6 = fc.ipV6()
    .map(ip => ({ ip, canonical: multiaddr(`/ip6/${ip}`).getComponents()[0]?.value ?? '' }))
    .filter(({ canonical }) => canonical !== '::')
    .map(({ ip, canonical }) => ({ url: `[${ip}]`, ma: `/ip6/${ip}`, hostname: canonical }))
  const dns = fc.tuple(fc.domain(), fc.constantFrom('dns', 'dns4', 'dns6'))
    .chain(([name, code]) => fc.mixedCase(fc.constant(name)).map(spelled => ({ url: spelled, ma: `/${code}/${spelled}`, hostname: name, dnsName: name })))
  return fc.oneof(ip4, ip6, dns)
}

function certhashArbitrary (): fc.Arbitrary<Array<{ text: string, canonical: string }>> {
  const hash = fc.tuple(fc.constantFrom(0x12, 0x13, 0x16), fc.uint8Array({ minLength: 1, maxLength: 64 }))
    .map(([code, digest]) => new Uint8Array([code, digest.length, ...digest]))
  return fc.uniqueArray(hash, { minLength: 1, maxLength: 2, selector: bytes => bytesToString(bytes, 'base16') })
    .chain(hashes => fc.tuple(...hashes.map(bytes => fc.constantFrom(
      `u${bytesToString(bytes, 'base64url')}`,
      `b${bytesToString(bytes, 'base32')}`,
      `z${bytesToString(bytes, 'base58btc')}`,
      `f${bytesToString(bytes, 'base16')}`
    ).map(text => ({ text, canonical: `u${bytesToString(bytes, 'base64url')}` })))))
}

function directArbitrary (protocol: Direct, peerId: fc.Arbitrary<string>): fc.Arbitrary<Generated> {
  if (protocol === 'memory') {
    return fc.tuple(peerId, fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/), fc.mixedCase(fc.constant('memory')))
      .map(([id, name, scheme]) => ({
        url: `${scheme}://${id}@${name}`, ma: `/memory/${name}/p2p/${id}`, peerId: id, protocol, hostname: name, port: undefined, scheme, hostPort: name, query: ''
      }))
  }
  const defaultPort = protocol === 'ws' ? 80 : protocol === 'wss' ? 443 : undefined
  const port = defaultPort === undefined ? fc.integer({ min: 1, max: 65535 }) : fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
  const certhashes = protocol === 'webrtc-direct' ? certhashArbitrary() : fc.constant([])
  const wssSpelling = fc.constantFrom('/wss', '/tls/ws', '/tls/sni')
  return fc.tuple(peerId, hostArbitrary(), port, certhashes, wssSpelling, fc.mixedCase(fc.constant(protocol)), fc.boolean())
    .map(([id, host, chosenPort, hashes, wss, scheme, trailingSlash]) => {
      const effectivePort = chosenPort ?? defaultPort ?? 0
      const query = hashes.length === 0 ? '' : `?${hashes.map(h => `certhash=${h.text}`).join('&')}`
      const hostPort = `${host.url}${chosenPort === undefined ? '' : `:${chosenPort}`}`
      const url = `${scheme}://${id}@${hostPort}${trailingSlash ? '/' : ''}${query}`
      let transport: string
      switch (protocol) {
        case 'tcp': transport = `/tcp/${effectivePort}`; break
        case 'ws': transport = `/tcp/${effectivePort}/ws`; break
        case 'wss': transport = `/tcp/${effectivePort}${wss === '/tls/sni' ? (host.dnsName === undefined ? '/tls/ws' : `/tls/sni/${host.dnsName}/ws`) : wss}`; break
        default: transport = `/udp/${effectivePort}/webrtc-direct${hashes.map(h => `/certhash/${h.text}`).join('')}`
      }
      return { url, ma: `${host.ma}${transport}/p2p/${id}`, peerId: id, protocol, hostname: host.hostname, port: effectivePort, scheme, hostPort, query }
    })
}

function relayedArbitrary (peerId: fc.Arbitrary<string>): fc.Arbitrary<Generated> {
  return fc.tuple(
    fc.constantFrom('webrtc', 'circuit'),
    fc.constantFrom<Direct>('tcp', 'ws', 'wss', 'webrtc-direct', 'memory').chain(p => directArbitrary(p, peerId)),
    peerId
  ).filter(([, relay, id]) => relay.peerId !== id)
    .map(([protocol, relay, id]) => ({
      url: `${protocol}+${relay.scheme}://${id}@${relay.hostPort}/via/${relay.peerId}${relay.query}`,
      ma: `${relay.ma}/p2p-circuit${protocol === 'webrtc' ? '/webrtc' : ''}/p2p/${id}`,
      peerId: id,
      protocol,
      hostname: relay.hostname,
      port: relay.port,
      scheme: `${protocol}+${relay.scheme}`,
      hostPort: relay.hostPort,
      query: relay.query
    }))
}

function addressArbitrary (): fc.Arbitrary<Generated> {
  const peerId = fc.constantFrom(...peerIds)
  return fc.oneof(
    ...(['tcp', 'ws', 'wss', 'webrtc-direct', 'memory'] as const).map(p => directArbitrary(p, peerId)),
    relayedArbitrary(peerId)
  )
}

/** Parses, and fails the test on any error that is not an InvalidNodeAddressError. */
function parseOrUndefined (input: unknown, parse: (input: never) => NodeAddress = parseNodeAddress): NodeAddress | undefined {
  try {
    return parse(input as never)
  } catch (err) {
    if (!(err instanceof InvalidNodeAddressError)) throw new Error(`threw ${String(err)} for ${JSON.stringify(String(input))}`, { cause: err })
    expect(err.name).toBe('InvalidNodeAddressError')
    return undefined
  }
}

/** Whatever was accepted must be canonical: printing and parsing again gives the same address. */
function expectStable (a: NodeAddress): void {
  const again = parseNodeAddress(a.toString())
  expect(again).toEqual(a)
  expect(again.toString()).toBe(a.toString())
  expect(nodeAddressFromMultiaddr(a.toMultiaddr())).toEqual(a)
}

describe('NodeAddress properties', () => {
  it('URL → string → URL gives an equal address, with the parts that went in', () => {
    fc.assert(fc.property(addressArbitrary(), g => {
      const a = parseNodeAddress(g.url)
      expect(a.peerId).toBe(g.peerId)
      expect(a.protocol).toBe(g.protocol)
      expect(a.hostname).toBe(g.hostname)
      expect(a.port).toBe(g.port)
      const again = parseNodeAddress(a.toString())
      expect(again).toEqual(a)
      expect(again.equals(a)).toBe(true)
    }), { numRuns: 500 })
  })

  it('URL → multiaddr → URL gives an equal address (object, string and bytes)', () => {
    fc.assert(fc.property(addressArbitrary(), g => {
      const a = parseNodeAddress(g.url)
      const ma = a.toMultiaddr()
      expect(nodeAddressFromMultiaddr(ma)).toEqual(a)
      expect(nodeAddressFromMultiaddr(ma.toString())).toEqual(a)
      expect(parseNodeAddress(ma.toString())).toEqual(a)
      expect(nodeAddressFromMultiaddr(multiaddr(ma.bytes))).toEqual(a)
    }), { numRuns: 500 })
  })

  it('multiaddr → URL → multiaddr gives the same multiaddr, whichever spelling went in', () => {
    fc.assert(fc.property(addressArbitrary(), g => {
      const fromMultiaddr = nodeAddressFromMultiaddr(g.ma)
      expect(fromMultiaddr).toEqual(parseNodeAddress(g.url))
      const canonical = fromMultiaddr.toMultiaddr().toString()
      expect(parseNodeAddress(fromMultiaddr.toString()).toMultiaddr().toString()).toBe(canonical)
    }), { numRuns: 500 })
  })
})

describe('parseNodeAddress on hostile input', () => {
  it('throws nothing but InvalidNodeAddressError for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), text => {
      const a = parseOrUndefined(text)
      if (a !== undefined) expectStable(a)
    }), { numRuns: 2000 })
  })

  it('throws nothing but InvalidNodeAddressError for arbitrary Unicode, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), text => {
      const a = parseOrUndefined(text)
      if (a !== undefined) expectStable(a)
    }), { numRuns: 2000 })
  })

  it('throws nothing but InvalidNodeAddressError for strings that look like multiaddrs', () => {
    const segment = fc.oneof(
      fc.constantFrom('ip4', 'ip6', 'dns', 'dns4', 'tcp', 'udp', 'ws', 'wss', 'tls', 'sni', 'p2p', 'p2p-circuit', 'webrtc', 'webrtc-direct', 'certhash', 'memory', 'ip6zone', 'unix', 'quic-v1'),
      fc.constantFrom('1.2.3.4', '::1', '0', '443', '65536', 'example.com', 'uEiAA'),
      fc.constantFrom(...peerIds),
      fc.string({ maxLength: 12 })
    )
    fc.assert(fc.property(fc.array(segment, { maxLength: 14 }), segments => {
      const text = `/${segments.join('/')}`
      const a = parseOrUndefined(text)
      if (a !== undefined) expectStable(a)
      parseOrUndefined(text, nodeAddressFromMultiaddr)
    }), { numRuns: 3000 })
  })

  it('throws nothing but InvalidNodeAddressError for mutated valid addresses, and what it accepts is canonical', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate', 'truncate'),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 8 }),
      text: fc.oneof(
        fc.constantFrom('@', ':', '/', '[', ']', '%', '%2', '%25', '?', '&', '=', '#', '+', '.', '-', '_', '0', ':0', ':65536', 'certhash=', 'sni=', '/via/', '/p2p/', '/p2p-circuit', 'A', 'é', '\u0000'),
        fc.string({ maxLength: 4, unit: 'binary' })
      )
    })
    fc.assert(fc.property(addressArbitrary(), fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (g, useMultiaddr, mutations) => {
      let text = useMultiaddr ? g.ma : g.url
      for (const m of mutations) {
        const at = m.at % (text.length + 1)
        switch (m.kind) {
          case 'insert': text = text.slice(0, at) + m.text + text.slice(at); break
          case 'delete': text = text.slice(0, at) + text.slice(at + m.length); break
          case 'replace': text = text.slice(0, at) + m.text + text.slice(at + m.length); break
          case 'duplicate': text = text.slice(0, at + m.length) + text.slice(at); break
          case 'truncate': text = text.slice(0, at); break
        }
      }
      const a = parseOrUndefined(text)
      if (a !== undefined) expectStable(a)
    }), { numRuns: 3000 })
  })

  it('throws nothing but InvalidNodeAddressError for web URLs', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), url => {
      const a = parseOrUndefined(url)
      if (a !== undefined) expectStable(a)
    }), { numRuns: 500 })
  })

  it('throws nothing but InvalidNodeAddressError for values that are not strings', () => {
    fc.assert(fc.property(fc.anything(), value => {
      if (typeof value === 'string') return
      expect(parseOrUndefined(value)).toBeUndefined()
      expect(parseOrUndefined(value, nodeAddressFromMultiaddr)).toBeUndefined()
    }), { numRuns: 500 })
  })
})
