import { ip4Bytes, ip6Bytes, mappedIp4 } from './host.js'
import type { NodeAddress } from './node-address.js'

/**
 * Second-level labels under which country-code registries sell names (`example.co.uk`), so that
 * `a.example.co.uk` and `b.example.co.uk` share one group. An approximation of the Public Suffix
 * List, good enough to stop one owner of many subdomains from filling a per-group cap.
 */
const SECOND_LEVEL_REGISTRIES = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ne', 'or', 'go'])

/**
 * The "subnet" an address belongs to, for per-group caps in the PeerManager (one owner of a
 * network should not fill the address book):
 * - IPv4: the /24, `ip4:203.0.113.0/24`
 * - IPv6: the /48, `ip6:2001:db8:1::/48`; an IPv4-mapped IPv6 address counts as its IPv4 /24
 * - DNS: the registrable-ish name, `dns:example.com` for `a.b.example.com`, `dns:example.co.uk`
 *   for `x.example.co.uk` (an approximation of the Public Suffix List); names are not resolved
 * - memory: `memory`
 * - relayed (`webrtc`, `circuit`): `relay:<relayPeerId>`, since the relay is the shared path
 */
export function addressGroup (a: NodeAddress): string {
  let group = groups.get(a)
  if (group === undefined) {
    group = groupOf(a)
    groups.set(a, group)
  }
  return group
}

/** A NodeAddress is immutable (frozen), so its group is worked out once per address object. */
const groups = new WeakMap<NodeAddress, string>()

function groupOf (a: NodeAddress): string {
  if (a.relay !== undefined) return `relay:${a.relay.peerId}`
  switch (a.hostType) {
    case 'ip4': return ip4Group(ip4Bytes(a.hostname))
    case 'ip6': {
      const bytes = ip6Bytes(a.hostname)
      const v4 = mappedIp4(bytes)
      if (v4 !== undefined) return ip4Group(v4)
      const hextets = [0, 2, 4].map(i => (((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16))
      return `ip6:${hextets.join(':')}::/48`
    }
    case 'dns': return `dns:${registrableName(a.hostname)}`
    case 'memory': return 'memory'
  }
}

function ip4Group (bytes: readonly number[]): string {
  return `ip4:${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.0/24`
}

function registrableName (hostname: string): string {
  const labels = hostname.split('.')
  if (labels.length <= 2) return hostname
  const tld = labels[labels.length - 1] ?? ''
  const second = labels[labels.length - 2] ?? ''
  const keep = tld.length === 2 && SECOND_LEVEL_REGISTRIES.has(second) ? 3 : 2
  return labels.slice(-keep).join('.')
}
