/**
 * Where an address points: loopback, a private network, or a relay. The PeerManager uses these
 * to refuse gossiped addresses that cannot be meant for it. For a relayed address every answer
 * is about the relay's host, since that is what gets dialed.
 *
 * Memory-transport addresses are neither loopback nor private: they only exist inside one
 * process (tests), and callers that must refuse them check `protocol === 'memory'`.
 */
import { ip4Bytes, ip6Bytes, mappedIp4 } from './host.js'
import type { NodeAddress } from './node-address.js'

/** True for `webrtc` and `circuit` addresses, which are reached through a circuit relay. */
export function isRelayedAddress (a: NodeAddress): boolean {
  return a.relay !== undefined
}

/** True when the host is a loopback address: 127.0.0.0/8, ::1, `localhost` and `*.localhost`. */
export function isLoopbackAddress (a: NodeAddress): boolean {
  switch (a.hostType) {
    case 'ip4': return isLoopbackIp4(ip4Bytes(a.hostname))
    case 'ip6': {
      const bytes = ip6Bytes(a.hostname)
      const v4 = mappedIp4(bytes)
      if (v4 !== undefined) return isLoopbackIp4(v4)
      return bytes.every((byte, i) => byte === (i === 15 ? 1 : 0))
    }
    case 'dns': return a.hostname === 'localhost' || a.hostname.endsWith('.localhost')
    case 'memory': return false
  }
}

/**
 * True when the host is not reachable from the public Internet: loopback, RFC 1918
 * (10/8, 172.16/12, 192.168/16), shared CGNAT space (100.64/10), link-local (169.254/16,
 * fe80::/10), unique-local IPv6 (fc00::/7), and the special-use names `localhost`, `*.localhost`,
 * `*.local`, `*.internal`, `*.home.arpa`.
 *
 * Why not `isPrivateIp` from `@libp2p/utils`: its table also counts the documentation and
 * benchmarking ranges (192.0.2/24, 198.18/15, 198.51.100/24, 203.0.113/24, 240/4) as private.
 * Those are not reachable on the Internet either, but this function answers "is this address
 * meant for our own network only?", and the NAT lab (e2e/nat/) gives its routers' public sides
 * 198.18/15 addresses exactly so that they play the Internet; refusing them as private would
 * make every srflx candidate and gossiped address in the lab unusable. The ranges here are the
 * ones a home, office or carrier network hands out.
 */
export function isPrivateAddress (a: NodeAddress): boolean {
  if (isLoopbackAddress(a)) return true
  switch (a.hostType) {
    case 'ip4': return isPrivateIp4(ip4Bytes(a.hostname))
    case 'ip6': {
      const bytes = ip6Bytes(a.hostname)
      const v4 = mappedIp4(bytes)
      if (v4 !== undefined) return isPrivateIp4(v4)
      const first = bytes[0] ?? 0
      const second = bytes[1] ?? 0
      return (first & 0xfe) === 0xfc || (first === 0xfe && (second & 0xc0) === 0x80)
    }
    case 'dns': return PRIVATE_DNS_SUFFIXES.some(suffix => a.hostname.endsWith(suffix))
    case 'memory': return false
  }
}

const PRIVATE_DNS_SUFFIXES = ['.local', '.internal', '.home.arpa']

function isLoopbackIp4 (bytes: readonly number[]): boolean {
  return bytes[0] === 127
}

function isPrivateIp4 (bytes: readonly number[]): boolean {
  const [a = 0, b = 0] = bytes
  return a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
}
