import { beforeAll, describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidNodeAddressError, nodeAddressFromMultiaddr, parseNodeAddress } from '../../src/address/index.js'
import { createAddressFixtures, fill, LEGACY_RSA_PEER_ID, type AddressFixtures } from './fixtures.js'

let f: AddressFixtures
beforeAll(async () => { f = await createAddressFixtures() })

/** [input, canonical URL, canonical multiaddr]; `{A}` etc. are filled in by `fill()`. */
const VALID: Array<[string, string, string]> = [
  // tcp
  ['tcp://{A}@127.0.0.1:4001', 'tcp://{A}@127.0.0.1:4001', '/ip4/127.0.0.1/tcp/4001/p2p/{A}'],
  ['TCP://{A}@Host.Example.COM:8080', 'tcp://{A}@host.example.com:8080', '/dns/host.example.com/tcp/8080/p2p/{A}'],
  ['tcp://{A}@[1::]:4001', 'tcp://{A}@[1::]:4001', '/ip6/1::/tcp/4001/p2p/{A}'],
  ['tcp://{A}@[2001:DB8:0:0::1]:4001', 'tcp://{A}@[2001:db8::1]:4001', '/ip6/2001:db8::1/tcp/4001/p2p/{A}'],
  ['tcp://{A}@[::FFFF:192.0.2.1]:1', 'tcp://{A}@[::ffff:c000:201]:1', '/ip6/::ffff:c000:201/tcp/1/p2p/{A}'],
  ['tcp://{A}@127.0.0.1:0080', 'tcp://{A}@127.0.0.1:80', '/ip4/127.0.0.1/tcp/80/p2p/{A}'],
  ['tcp://{A}@127.0.0.1:65535', 'tcp://{A}@127.0.0.1:65535', '/ip4/127.0.0.1/tcp/65535/p2p/{A}'],
  ['tcp://{A}@localhost:4001/', 'tcp://{A}@localhost:4001', '/dns/localhost/tcp/4001/p2p/{A}'],
  ['tcp://{A%}@ex%61mple.com:1', 'tcp://{A}@example.com:1', '/dns/example.com/tcp/1/p2p/{A}'],
  ['tcp://{A}@my_service:4001', 'tcp://{A}@my_service:4001', '/dns/my_service/tcp/4001/p2p/{A}'],
  ['tcp://{ACID}@127.0.0.1:1', 'tcp://{A}@127.0.0.1:1', '/ip4/127.0.0.1/tcp/1/p2p/{A}'],
  ['tcp://{SECP}@127.0.0.1:1', 'tcp://{SECP}@127.0.0.1:1', '/ip4/127.0.0.1/tcp/1/p2p/{SECP}'],
  ['tcp://{RSA}@127.0.0.1:1', 'tcp://{RSA}@127.0.0.1:1', '/ip4/127.0.0.1/tcp/1/p2p/{RSA}'],
  [`tcp://${LEGACY_RSA_PEER_ID}@127.0.0.1:1`, `tcp://${LEGACY_RSA_PEER_ID}@127.0.0.1:1`, `/ip4/127.0.0.1/tcp/1/p2p/${LEGACY_RSA_PEER_ID}`],
  // ws
  ['ws://{A}@127.0.0.1', 'ws://{A}@127.0.0.1', '/ip4/127.0.0.1/tcp/80/ws/p2p/{A}'],
  ['ws://{A}@127.0.0.1:80', 'ws://{A}@127.0.0.1', '/ip4/127.0.0.1/tcp/80/ws/p2p/{A}'],
  ['ws://{A}@127.0.0.1:9090', 'ws://{A}@127.0.0.1:9090', '/ip4/127.0.0.1/tcp/9090/ws/p2p/{A}'],
  ['Ws://{A}@[::1]:443', 'ws://{A}@[::1]:443', '/ip6/::1/tcp/443/ws/p2p/{A}'],
  // wss
  ['wss://{A}@relay.example.com', 'wss://{A}@relay.example.com', '/dns/relay.example.com/tcp/443/tls/ws/p2p/{A}'],
  ['wss://{A}@relay.example.com:443', 'wss://{A}@relay.example.com', '/dns/relay.example.com/tcp/443/tls/ws/p2p/{A}'],
  ['wss://{A}@relay.example.com:80', 'wss://{A}@relay.example.com:80', '/dns/relay.example.com/tcp/80/tls/ws/p2p/{A}'],
  ['wss://{A}@[::1]:8443', 'wss://{A}@[::1]:8443', '/ip6/::1/tcp/8443/tls/ws/p2p/{A}'],
  ['wss://{A}@192.0.2.1?SNI=Relay.Example.com', 'wss://{A}@192.0.2.1?sni=relay.example.com', '/ip4/192.0.2.1/tcp/443/tls/sni/relay.example.com/ws/p2p/{A}'],
  ['wss://{A}@relay.example.com?sni=relay.example.com', 'wss://{A}@relay.example.com', '/dns/relay.example.com/tcp/443/tls/ws/p2p/{A}'],
  // webrtc-direct
  ['webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}', 'webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}', '/ip4/192.0.2.1/udp/4002/webrtc-direct/certhash/{CH}/p2p/{A}'],
  ['webrtc-direct://{A}@192.0.2.1:4002?certhash={CH32}&CertHash={CH2}', 'webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}&certhash={CH2}', '/ip4/192.0.2.1/udp/4002/webrtc-direct/certhash/{CH}/certhash/{CH2}/p2p/{A}'],
  ['webrtc-direct://{A}@node.example.com:4002?certhash={CH}', 'webrtc-direct://{A}@node.example.com:4002?certhash={CH}', '/dns/node.example.com/udp/4002/webrtc-direct/certhash/{CH}/p2p/{A}'],
  // memory
  ['memory://{A}@node-1', 'memory://{A}@node-1', '/memory/node-1/p2p/{A}'],
  ['MEMORY://{A}@V1StGXR8_Z5jdHi6B-myT', 'memory://{A}@V1StGXR8_Z5jdHi6B-myT', '/memory/V1StGXR8_Z5jdHi6B-myT/p2p/{A}'],
  // relayed WebRTC (a browser's address) and plain circuit relay
  ['webrtc+wss://{A}@relay.example.com/via/{R}', 'webrtc+wss://{A}@relay.example.com/via/{R}', '/dns/relay.example.com/tcp/443/tls/ws/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['WEBRTC+WS://{A}@127.0.0.1:9090/via/{R}', 'webrtc+ws://{A}@127.0.0.1:9090/via/{R}', '/ip4/127.0.0.1/tcp/9090/ws/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['webrtc+tcp://{A}@[::1]:4001/via/{R}', 'webrtc+tcp://{A}@[::1]:4001/via/{R}', '/ip6/::1/tcp/4001/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['webrtc+webrtc-direct://{A}@192.0.2.1:4002/via/{R}?certhash={CH}', 'webrtc+webrtc-direct://{A}@192.0.2.1:4002/via/{R}?certhash={CH}', '/ip4/192.0.2.1/udp/4002/webrtc-direct/certhash/{CH}/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['webrtc+memory://{A}@relay/via/{R}', 'webrtc+memory://{A}@relay/via/{R}', '/memory/relay/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['circuit+ws://{A}@127.0.0.1:9090/via/{R}', 'circuit+ws://{A}@127.0.0.1:9090/via/{R}', '/ip4/127.0.0.1/tcp/9090/ws/p2p/{R}/p2p-circuit/p2p/{A}'],
  ['circuit+wss://{B}@192.0.2.1/via/{ACID}?sni=relay.example.com', 'circuit+wss://{B}@192.0.2.1/via/{A}?sni=relay.example.com', '/ip4/192.0.2.1/tcp/443/tls/sni/relay.example.com/ws/p2p/{A}/p2p-circuit/p2p/{B}'],
  // multiaddr input
  ['/ip4/127.0.0.1/tcp/4001/p2p/{A}', 'tcp://{A}@127.0.0.1:4001', '/ip4/127.0.0.1/tcp/4001/p2p/{A}'],
  ['/ip4/127.0.0.1/tcp/4001/ipfs/{A}', 'tcp://{A}@127.0.0.1:4001', '/ip4/127.0.0.1/tcp/4001/p2p/{A}'],
  ['/ip4/127.0.0.1/tcp/4001/p2p/{ACID}', 'tcp://{A}@127.0.0.1:4001', '/ip4/127.0.0.1/tcp/4001/p2p/{A}'],
  ['/dns4/Example.com/tcp/443/wss/p2p/{A}', 'wss://{A}@example.com', '/dns/example.com/tcp/443/tls/ws/p2p/{A}'],
  ['/dns6/example.com/tcp/443/tls/ws/p2p/{A}', 'wss://{A}@example.com', '/dns/example.com/tcp/443/tls/ws/p2p/{A}'],
  ['/dns/example.com/tcp/8443/tls/sni/example.com/ws/p2p/{A}', 'wss://{A}@example.com:8443', '/dns/example.com/tcp/8443/tls/ws/p2p/{A}'],
  ['/ip4/192.0.2.1/tcp/443/tls/sni/relay.example.com/ws/p2p/{A}', 'wss://{A}@192.0.2.1?sni=relay.example.com', '/ip4/192.0.2.1/tcp/443/tls/sni/relay.example.com/ws/p2p/{A}'],
  ['/ip6/0:0::1/tcp/80/ws/p2p/{A}', 'ws://{A}@[::1]', '/ip6/::1/tcp/80/ws/p2p/{A}'],
  ['/ip4/192.0.2.1/udp/4002/webrtc-direct/certhash/{CH32}/p2p/{A}', 'webrtc-direct://{A}@192.0.2.1:4002?certhash={CH}', '/ip4/192.0.2.1/udp/4002/webrtc-direct/certhash/{CH}/p2p/{A}'],
  ['/memory/node-1/p2p/{A}', 'memory://{A}@node-1', '/memory/node-1/p2p/{A}'],
  ['/dns4/relay.example.com/tcp/443/wss/p2p/{R}/p2p-circuit/webrtc/p2p/{A}', 'webrtc+wss://{A}@relay.example.com/via/{R}', '/dns/relay.example.com/tcp/443/tls/ws/p2p/{R}/p2p-circuit/webrtc/p2p/{A}'],
  ['/ip4/127.0.0.1/tcp/9090/ws/p2p/{R}/p2p-circuit/p2p/{A}', 'circuit+ws://{A}@127.0.0.1:9090/via/{R}', '/ip4/127.0.0.1/tcp/9090/ws/p2p/{R}/p2p-circuit/p2p/{A}']
]

/** [input, fragment of the error message]. */
const INVALID: Array<[string, string]> = [
  ['', 'empty'],
  ['127.0.0.1', 'missing scheme'],
  ['hostname', 'missing scheme'],
  ['{A}@127.0.0.1:4001', 'missing scheme'],
  ['//{A}@host:1', 'missing scheme'],
  ['://{A}@host:1', 'missing scheme'],
  ['tcp:', 'expected "://" after the scheme'],
  ['tcp:{A}@host:1', 'expected "://" after the scheme'],
  ['memory:{A}', 'expected "://" after the scheme'],
  ['1tcp://{A}@host:1', 'invalid scheme'],
  ['ftp://{A}@host:1', 'unknown scheme "ftp"'],
  ['mconn://{A}@host:1', 'unknown scheme "mconn"'],
  ['webrtc://{A}@host', 'goes through a relay'],
  ['circuit://{A}@host/via/{R}', 'goes through a relay'],
  ['webrtc+webrtc+ws://{A}@host/via/{R}', 'nested relays'],
  ['webrtc+ftp://{A}@host/via/{R}', 'unknown relay scheme "ftp"'],
  ['ws+webrtc://{A}@host/via/{R}', 'unknown scheme'],
  ['tcp://host:1', 'no peer ID'],
  ['tcp://@host:1', 'no peer ID'],
  ['tcp://not-a-peer-id@host:1', 'invalid peer ID'],
  ['tcp://{a}@host:1', 'invalid peer ID'],
  ['tcp://QmNotReallyAPeerId@host:1', 'invalid peer ID'],
  ['tcp://{A}x@host:1', 'invalid peer ID'],
  ['tcp://{A}:secret@host:1', 'password'],
  ['tcp://{A}@{B}@host:1', 'more than one "@"'],
  ['tcp://{A}@:80', 'port without host'],
  ['tcp://{A}@', 'missing host'],
  ['tcp://{A}@host', 'missing port'],
  ['webrtc-direct://{A}@host?certhash={CH}', 'missing port'],
  ['tcp://{A}@host:0', 'port 0 is not dialable'],
  ['tcp://{A}@host:65536', 'bad port 65536'],
  ['tcp://{A}@host:999999', 'bad port'],
  ['tcp://{A}@host:x', 'bad port'],
  ['tcp://{A}@host:-1', 'bad port'],
  ['tcp://{A}@host:', 'empty port'],
  ['tcp://{A}@0.0.0.0:1', 'unspecified address'],
  ['tcp://{A}@[::]:1', 'unspecified address'],
  ['tcp://{A}@[0:0::0]:1', 'unspecified address'],
  ['tcp://{A}@[fe80::1%25eth0]:1', 'zone'],
  ['tcp://{A}@[fe80::1%eth0]:1', 'zone'],
  ['tcp://{A}@[::1:1', 'unclosed "["'],
  ['tcp://{A}@[::1]x:1', 'after the IPv6 address'],
  ['tcp://{A}@[not:ipv6]:1', 'invalid IPv6'],
  ['tcp://{A}@[1.2.3.4]:1', 'invalid IPv6'],
  ['tcp://{A}@2001:db8::1:1', 'must be in brackets'],
  ['tcp://{A}@1.2.3:1', 'invalid IPv4'],
  ['tcp://{A}@01.2.3.4:1', 'invalid IPv4'],
  ['tcp://{A}@256.1.1.1:1', 'invalid IPv4'],
  ['tcp://{A}@example.123:1', 'invalid IPv4'],
  ['tcp://{A}@-host.com:1', 'invalid host name'],
  ['tcp://{A}@host-.com:1', 'invalid host name'],
  ['tcp://{A}@a..b:1', 'invalid host name'],
  ['tcp://{A}@host.com.:1', 'invalid host name'],
  ['tcp://{A}@b%C3%BCcher.de:1', 'must be ASCII'],
  ['tcp://{A}@bücher.de:1', 'must be ASCII'],
  ['tcp://{A}@\u212Aey.com:1', 'must be ASCII'],
  ['wss://{A}@1.2.3.4?sni=\u212Aey.com', 'must be ASCII'],
  ['tcp://{A}@ex%2Fample.com:1', 'invalid host name'],
  [`tcp://{A}@${'a'.repeat(64)}.com:1`, 'invalid host name'],
  [`tcp://{A}@${'abcdefgh.'.repeat(28)}com:1`, 'longer than 253'],
  ['tcp://{A}@host:1/path', 'path is not allowed on a tcp address'],
  ['tcp://{A}@host:1/via/{R}', 'path is not allowed'],
  ['webrtc+ws://{A}@host/', 'needs the path /via/<relayPeerId>'],
  ['webrtc+ws://{A}@host/via/', 'no relay peer ID'],
  ['webrtc+ws://{A}@host/via/{R}/x', 'needs the path /via/<relayPeerId>'],
  ['webrtc+ws://{A}@host/via/nope', 'invalid relay peer ID'],
  ['webrtc+ws://{A}@host/via/{A}', 'relay peer ID equals the peer ID'],
  ['tcp://{A}@host:1#frag', 'fragments'],
  ['tcp://{A}@host:1?', 'empty query'],
  ['tcp://{A}@host:1?foo=1', 'unknown query parameter "foo"'],
  ['tcp://{A}@host:1?certhash', 'not key=value'],
  ['tcp://{A}@host:1?=x', 'not key=value'],
  ['tcp://{A}@host:1?certhash={CH}', 'certhash is only allowed on webrtc-direct'],
  ['wss://{A}@1.2.3.4?sni=', 'empty sni value'],
  ['wss://{A}@1.2.3.4?sni=a.com&sni=b.com', 'more than one sni'],
  ['ws://{A}@1.2.3.4?sni=a.com', 'sni is only allowed on wss'],
  ['wss://{A}@1.2.3.4?sni=-bad', 'invalid host name'],
  ['webrtc-direct://{A}@host:1', 'at least one certhash'],
  ['webrtc-direct://{A}@host:1?certhash={CH}&certhash={CH2}&certhash={CH32}', 'more than 2 certhashes'],
  ['webrtc-direct://{A}@host:1?certhash={CH}&certhash={CH32}', 'repeated certhash'],
  ['webrtc-direct://{A}@host:1?certhash=xyz', 'invalid certhash'],
  ['webrtc-direct://{A}@host:1?certhash=u', 'invalid certhash'],
  ['webrtc-direct://{A}@host:1?certhash=uAA', 'not a multihash'],
  ['webrtc-direct://{A}@host:1?certhash=a%2Fb', 'invalid certhash'],
  ['memory://{A}@node:1', 'memory address takes no port'],
  ['memory://{A}@node/x', 'path is not allowed on a memory address'],
  ['memory://{A}@', 'missing memory address name'],
  ['memory://{A}@[::1]', 'memory name, not an IPv6 address'],
  ['memory://{A}@a%2Fb', 'invalid memory address name'],
  ['tcp://%zz@host:1', 'bad percent-escape in the peer ID'],
  ['tcp://{A}@ho%st:1', 'bad percent-escape in the host'],
  ['webrtc-direct://{A}@host:1?certhash=%E0%A4%A', 'bad percent-escape'],
  [' tcp://{A}@host:1', 'whitespace'],
  ['tcp://{A}@host:1\n', 'whitespace'],
  ['tcp://{A}@ho\u0000st:1', 'control characters'],
  [`tcp://{A}@host:1?certhash=${'x'.repeat(1100)}`, 'longer than 1024 characters'],
  // multiaddrs
  ['/', 'empty multiaddr'],
  ['/ip4/1.2.3.4/tcp/1', 'no peer ID'],
  ['/ip4/1.2.3.4/tcp', 'not a valid multiaddr'],
  ['/ip4/1.2.3.4/tcp/1/p2p/nope', 'invalid peer ID "nope"'],
  ['/ip4/999.1.1.1/tcp/1/p2p/{A}', 'not a valid multiaddr'],
  ['/ip4/1.2.3.4/tcp/65536/p2p/{A}', 'not a valid multiaddr'],
  ['/nope/1/p2p/{A}', 'not a valid multiaddr'],
  ['/ip4/1.2.3.4/tcp/0/p2p/{A}', 'port 0 is not dialable'],
  ['/ip4/0.0.0.0/tcp/1/p2p/{A}', 'unspecified address'],
  ['/ip4/1.2.3.4/p2p/{A}', 'no transport after the host'],
  ['/ip4/1.2.3.4/udp/1/quic-v1/p2p/{A}', 'unsupported transport /udp/1/quic-v1'],
  ['/ip4/1.2.3.4/udp/1/webrtc-direct/p2p/{A}', 'at least one certhash'],
  ['/ip4/1.2.3.4/tcp/1/tls/p2p/{A}', '/tls must be followed by /ws'],
  ['/ip4/1.2.3.4/tcp/1/http/p2p/{A}', 'unsupported /http'],
  ['/ip4/1.2.3.4/sctp/1/p2p/{A}', 'unsupported transport /sctp'],
  ['/unix/tmp%2Fsock/p2p/{A}', 'unsupported host /unix'],
  ['/dnsaddr/example.com/p2p/{A}', 'dnsaddr must be resolved'],
  ['/ip6zone/eth0/ip6/fe80::1/tcp/1/p2p/{A}', 'zone'],
  ['/dns/-bad.com/tcp/1/p2p/{A}', 'invalid host name'],
  ['/dns/1.2.3.4/tcp/1/p2p/{A}', 'invalid IPv4'],
  ['/memory/a b/p2p/{A}', 'whitespace'],
  ['/p2p/{A}', 'no host before /p2p'],
  ['/p2p-circuit/p2p/{A}', 'must start with the relay'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit', 'no peer ID after /p2p-circuit'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/webrtc', 'no peer ID after /p2p-circuit'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/p2p/{R}', 'relay peer ID equals the peer ID'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/p2p-circuit/p2p/{A}', 'nested relays'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/p2p/{B}/p2p-circuit/p2p/{A}', 'nested relays'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/webrtc/p2p/{A}/ws', 'unexpected /ws after the peer ID'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/ws/p2p/{A}', 'unexpected /ws after /p2p/<peerId>'],
  ['/ip4/1.2.3.4/tcp/1/p2p/{R}/p2p-circuit/tcp/1/p2p/{A}', 'unsupported /tcp after /p2p-circuit']
]

describe('parseNodeAddress', () => {
  describe('accepts', () => {
    it.each(VALID)('%s', (template, expectedUrl, expectedMultiaddr) => {
      const a = parseNodeAddress(fill(template, f))
      expect(a.toString()).toBe(fill(expectedUrl, f))
      expect(a.toMultiaddr().toString()).toBe(fill(expectedMultiaddr, f))
      expect(parseNodeAddress(a.toString())).toEqual(a)
      expect(nodeAddressFromMultiaddr(a.toMultiaddr())).toEqual(a)
    })
  })

  describe('refuses with a message that says why', () => {
    it.each(INVALID)('%j', (template, fragment) => {
      const input = fill(template, f)
      let thrown: unknown
      try {
        parseNodeAddress(input)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(InvalidNodeAddressError)
      expect((thrown as Error).name).toBe('InvalidNodeAddressError')
      expect((thrown as Error).message).toContain(fill(fragment, f))
    })
  })

  it('keeps the case of RSA and legacy Qm… peer IDs', () => {
    for (const id of [f.rsa, LEGACY_RSA_PEER_ID]) {
      const a = parseNodeAddress(`tcp://${id}@127.0.0.1:1`)
      expect(a.peerId).toBe(id)
      expect(a.toString()).toBe(`tcp://${id}@127.0.0.1:1`)
      expect(nodeAddressFromMultiaddr(a.toMultiaddr()).peerId).toBe(id)
    }
  })

  it('rewrites a CID peer ID to its base58btc form', () => {
    expect(parseNodeAddress(fill('tcp://{ACID}@127.0.0.1:1', f)).peerId).toBe(f.ed25519[0])
  })

  it('wraps library errors and keeps them as cause', () => {
    const err = catchError(() => parseNodeAddress('/ip4/1.2.3.4/tcp'))
    expect(err).toBeInstanceOf(InvalidNodeAddressError)
    expect((err as Error).cause).toBeInstanceOf(Error)
    const peerIdErr = catchError(() => parseNodeAddress('tcp://QmNotReallyAPeerId@host:1'))
    expect((peerIdErr as Error).cause).toBeInstanceOf(Error)
  })

  it('refuses values that are not strings with InvalidNodeAddressError', () => {
    for (const value of [undefined, null, 42, {}, [], Symbol('x'), () => 'tcp://'] as unknown[]) {
      expect(() => parseNodeAddress(value as string)).toThrow(InvalidNodeAddressError)
    }
  })

  it('quotes long inputs shortened in the message', () => {
    const err = catchError(() => parseNodeAddress(`ftp://${'x'.repeat(500)}`))
    expect((err as Error).message.length).toBeLessThan(300)
  })
})

describe('nodeAddressFromMultiaddr', () => {
  it('reads a Multiaddr object and its string alike', () => {
    const text = fill('/ip4/127.0.0.1/tcp/9090/ws/p2p/{A}', f)
    expect(nodeAddressFromMultiaddr(multiaddr(text))).toEqual(nodeAddressFromMultiaddr(text))
  })

  it('reads a multiaddr rebuilt from its bytes', () => {
    const a = parseNodeAddress(fill('webrtc+webrtc-direct://{A}@192.0.2.1:4002/via/{R}?certhash={CH}', f))
    expect(nodeAddressFromMultiaddr(multiaddr(a.toMultiaddr().bytes))).toEqual(a)
  })

  it('refuses a URL, saying a multiaddr starts with "/"', () => {
    expect(() => nodeAddressFromMultiaddr(fill('tcp://{A}@127.0.0.1:1', f))).toThrow(/starts with "\/"/)
  })

  it('refuses a multiaddr without /p2p/<peerId>', () => {
    expect(() => nodeAddressFromMultiaddr(multiaddr('/ip4/127.0.0.1/tcp/1'))).toThrow(/no peer ID/)
  })

  it('refuses objects that are not multiaddrs with InvalidNodeAddressError', () => {
    for (const value of [undefined, null, 7, {}, { getComponents: () => { throw new Error('boom') } }] as unknown[]) {
      expect(() => nodeAddressFromMultiaddr(value as string)).toThrow(InvalidNodeAddressError)
    }
  })
})

function catchError (fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}
