/**
 * The `NodeAddress` value: one dialable address of one peer, as a URL (see docs/PROTOCOL.md,
 * "Addresses"). Instances are built only by the parsers in this folder, are frozen, and print
 * their one canonical URL with `toString()`.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { canonicalCerthashes } from './certhash.js'
import { reject } from './errors.js'
import { canonicalDnsName, canonicalIp4, canonicalIp6, canonicalMemoryName, type HostType } from './host.js'
import { canonicalPeerId } from './peer-id.js'

/** Transports dialed directly, without a relay. */
export type DirectProtocol = 'tcp' | 'ws' | 'wss' | 'webrtc-direct' | 'memory'
/** Connections set up through a circuit relay: WebRTC signalled over it, or the relayed stream itself. */
export type RelayedProtocol = 'webrtc' | 'circuit'
export type NodeAddressProtocol = DirectProtocol | RelayedProtocol

export const DIRECT_PROTOCOLS: ReadonlySet<string> = new Set<DirectProtocol>(['tcp', 'ws', 'wss', 'webrtc-direct', 'memory'])
export const RELAYED_PROTOCOLS: ReadonlySet<string> = new Set<RelayedProtocol>(['webrtc', 'circuit'])

/** The port a URL may leave out, per protocol; it is left out of the canonical form too. */
export const DEFAULT_PORTS: Readonly<Partial<Record<DirectProtocol, number>>> = Object.freeze({ ws: 80, wss: 443 })

/** Longest canonical address (the peer store refuses longer URLs). */
export const MAX_NODE_ADDRESS_LENGTH = 1024

/** The parts of a directly dialed address, before validation. */
export interface DirectAddressParts {
  protocol: DirectProtocol
  peerId: string
  hostType: HostType
  /** Without IPv6 brackets, already percent-decoded. */
  hostname: string
  port?: number
  certhashes?: readonly string[]
  sni?: string
}

const construct = Symbol('NodeAddress.construct')

interface NodeAddressFields {
  protocol: NodeAddressProtocol
  peerId: string
  hostType: HostType
  hostname: string
  port: number | undefined
  certhashes: readonly string[]
  sni: string | undefined
  relay: NodeAddress | undefined
}

/**
 * One dialable address of one peer. Build it with `parseNodeAddress()` or
 * `nodeAddressFromMultiaddr()`; it is immutable, and two addresses are equal exactly when their
 * canonical URLs (`toString()`) are.
 *
 * @example
 * ```ts
 * const a = parseNodeAddress('wss://12D3KooW…@relay.example.com')
 * a.protocol      // 'wss'
 * a.port          // 443
 * a.toMultiaddr() // /dns/relay.example.com/tcp/443/tls/ws/p2p/12D3KooW…
 * ```
 */
export class NodeAddress {
  /** `tcp`, `ws`, `wss`, `webrtc-direct`, `memory`, or for relayed addresses `webrtc` / `circuit`. */
  readonly protocol: NodeAddressProtocol
  /** The peer's libp2p PeerId in canonical (base58btc) form; case-sensitive. */
  readonly peerId: string
  /** How `hostname` is spelled; for relayed addresses, the relay's. */
  readonly hostType: HostType
  /**
   * The host to dial: an IPv4 or IPv6 address (no brackets), a lower-case DNS name (not
   * resolved), or a memory-transport name. For relayed addresses, the relay's host.
   */
  readonly hostname: string
  /**
   * The port to dial, with ws/wss defaults (80/443) filled in; `undefined` for memory addresses.
   * For relayed addresses, the relay's port.
   */
  readonly port: number | undefined
  /** `/via/<relayPeerId>` for relayed addresses, `''` otherwise. */
  readonly path: string
  /** The webrtc-direct certificate hashes (multibase, base64url), for relayed addresses the relay's. */
  readonly certhashes: readonly string[]
  /** The TLS server name of a wss address dialed by IP, if it has one; for relayed addresses the relay's. */
  readonly sni: string | undefined
  /** For relayed addresses (`webrtc`, `circuit`), the relay's own address; `undefined` otherwise. */
  readonly relay: NodeAddress | undefined
  readonly #url: string
  readonly #multiaddr: string

  /** @internal Use `parseNodeAddress()` or `nodeAddressFromMultiaddr()`. */
  constructor (token: typeof construct, fields: NodeAddressFields) {
    if (token !== construct) throw new TypeError('NodeAddress is built by parseNodeAddress() or nodeAddressFromMultiaddr()')
    this.protocol = fields.protocol
    this.peerId = fields.peerId
    this.hostType = fields.hostType
    this.hostname = fields.hostname
    this.port = fields.port
    this.certhashes = Object.freeze([...fields.certhashes])
    this.sni = fields.sni
    this.relay = fields.relay
    this.path = fields.relay === undefined ? '' : `/via/${fields.relay.peerId}`
    this.#url = formatUrl(this)
    this.#multiaddr = fields.relay === undefined
      ? formatMultiaddr(this)
      : `${fields.relay.#multiaddr}/p2p-circuit${fields.protocol === 'webrtc' ? '/webrtc' : ''}/p2p/${fields.peerId}`
    if (this.#url.length > MAX_NODE_ADDRESS_LENGTH) reject(`longer than ${MAX_NODE_ADDRESS_LENGTH} characters`)
    Object.freeze(this)
  }

  /** The URL scheme: the protocol, or `<protocol>+<relay protocol>` for relayed addresses (`webrtc+wss`). */
  get scheme (): string {
    return this.relay === undefined ? this.protocol : `${this.protocol}+${this.relay.protocol}`
  }

  /** The canonical URL; `parseNodeAddress(a.toString())` equals `a`. */
  toString (): string {
    return this.#url
  }

  /** The canonical URL, so that `JSON.stringify` stores addresses as strings. */
  toJSON (): string {
    return this.#url
  }

  /** True when `other` is the same address (same canonical URL). */
  equals (other: NodeAddress | null | undefined): boolean {
    return typeof other === 'object' && other !== null && #url in other && other.#url === this.#url
  }

  /** The multiaddr libp2p dials (a new instance on every call). */
  toMultiaddr (): Multiaddr {
    return multiaddr(this.#multiaddr)
  }
}

/** Validates the parts of a directly dialed address and builds it. */
export function createDirectAddress (parts: DirectAddressParts): NodeAddress {
  const { protocol } = parts
  const peerId = canonicalPeerId(parts.peerId)
  const hostname = canonicalHost(parts.hostType, parts.hostname, protocol)
  const port = checkPort(protocol, parts.port)
  const certhashList = parts.certhashes ?? []
  let certhashes: string[] = []
  if (protocol === 'webrtc-direct') {
    certhashes = canonicalCerthashes(certhashList)
  } else if (certhashList.length > 0) {
    reject(`certhash is only allowed on webrtc-direct addresses, not ${protocol}`)
  }
  let sni: string | undefined
  if (parts.sni !== undefined) {
    if (protocol !== 'wss') reject(`sni is only allowed on wss addresses, not ${protocol}`)
    sni = canonicalDnsName(parts.sni)
    // The server name of a DNS host is the host itself: saying so again changes nothing.
    if (parts.hostType === 'dns' && sni === hostname) sni = undefined
  }
  return new NodeAddress(construct, {
    protocol, peerId, hostType: parts.hostType, hostname, port, certhashes, sni, relay: undefined
  })
}

/** Builds the address of `peerId` reached through the relay at `relay`. */
export function createRelayedAddress (protocol: RelayedProtocol, peerIdText: string, relay: NodeAddress): NodeAddress {
  const peerId = canonicalPeerId(peerIdText)
  if (relay.relay !== undefined) reject('nested relays are not supported')
  if (relay.peerId === peerId) reject('the relay peer ID equals the peer ID')
  return new NodeAddress(construct, {
    protocol,
    peerId,
    hostType: relay.hostType,
    hostname: relay.hostname,
    port: relay.port,
    certhashes: relay.certhashes,
    sni: relay.sni,
    relay
  })
}

function canonicalHost (hostType: HostType, hostname: string, protocol: DirectProtocol): string {
  if (protocol === 'memory') {
    if (hostType !== 'memory') reject('a memory address takes a memory name, not a network host')
    return canonicalMemoryName(hostname)
  }
  if (hostname.length === 0) reject('missing host')
  switch (hostType) {
    case 'ip4': return canonicalIp4(hostname)
    case 'ip6': return canonicalIp6(hostname)
    case 'dns': return canonicalDnsName(hostname)
    case 'memory': return reject(`a ${protocol} address needs a network host, not a memory name`)
  }
}

function checkPort (protocol: DirectProtocol, port: number | undefined): number | undefined {
  if (protocol === 'memory') {
    if (port !== undefined) reject('a memory address takes no port')
    return undefined
  }
  if (port === undefined) {
    const fallback = DEFAULT_PORTS[protocol]
    if (fallback === undefined) reject(`missing port (a ${protocol} address needs one)`)
    return fallback
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) reject(`bad port ${String(port)}: must be 1 to 65535`)
  if (port === 0) reject('bad port 0: port 0 is not dialable')
  return port
}

function formatHost (hostType: HostType, hostname: string): string {
  return hostType === 'ip6' ? `[${hostname}]` : hostname
}

function formatUrl (a: NodeAddress): string {
  const endpoint = a.relay ?? a
  const direct = endpoint.protocol as DirectProtocol
  const port = endpoint.port === undefined || endpoint.port === DEFAULT_PORTS[direct] ? '' : `:${endpoint.port}`
  const query = [
    ...endpoint.certhashes.map(hash => `certhash=${hash}`),
    ...(endpoint.sni === undefined ? [] : [`sni=${endpoint.sni}`])
  ]
  const search = query.length === 0 ? '' : `?${query.join('&')}`
  return `${a.scheme}://${a.peerId}@${formatHost(endpoint.hostType, endpoint.hostname)}${port}${a.path}${search}`
}

/** The multiaddr of a direct address (relayed ones append to their relay's, in the constructor). */
function formatMultiaddr (a: NodeAddress): string {
  const host = a.hostType === 'memory' ? `/memory/${a.hostname}` : `/${a.hostType}/${a.hostname}`
  let transport = ''
  switch (a.protocol) {
    case 'tcp': transport = `/tcp/${a.port}`; break
    case 'ws': transport = `/tcp/${a.port}/ws`; break
    case 'wss': transport = `/tcp/${a.port}/tls${a.sni === undefined ? '' : `/sni/${a.sni}`}/ws`; break
    case 'webrtc-direct': transport = `/udp/${a.port}/webrtc-direct${a.certhashes.map(hash => `/certhash/${hash}`).join('')}`; break
    default: transport = ''
  }
  return `${host}${transport}/p2p/${a.peerId}`
}
