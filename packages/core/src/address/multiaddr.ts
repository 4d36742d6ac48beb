/**
 * The multiaddr form of a node address, read back into a {@link NodeAddress}. Accepts every
 * spelling libp2p emits or dials (`/dns4`, `/dns6`, `/dns`; `/wss`, `/tls/ws`, `/tls/sni/<name>/ws`);
 * `NodeAddress.toMultiaddr()` writes one canonical spelling.
 */
import { isMultiaddr, multiaddr, type Component, type Multiaddr } from '@multiformats/multiaddr'
import { reject } from './errors.js'
import type { HostType } from './host.js'
import { canonicalPeerId } from './peer-id.js'
import {
  createDirectAddress,
  createRelayedAddress,
  type DirectAddressParts,
  type NodeAddress
} from './node-address.js'

/** Reads a multiaddr (object or string); throws an `AddressReason`. */
export function parseNodeAddressMultiaddr (input: Multiaddr | string): NodeAddress {
  let components: Component[]
  try {
    components = (isMultiaddr(input) ? input : multiaddr(input)).getComponents()
  } catch (err) {
    reject(`not a valid multiaddr: ${err instanceof Error ? err.message : String(err)}`, err)
  }
  const reader = new ComponentReader(components)
  const first = readDirect(reader, 'peer ID')
  if (reader.done()) return createDirectAddress(first)

  const circuit = reader.next()
  if (circuit?.name !== 'p2p-circuit') reject(`unexpected /${circuit?.name ?? ''} after /p2p/<peerId>`)
  canonicalPeerId(first.peerId, 'relay peer ID')
  const relay = createDirectAddress(first)
  let protocol: 'webrtc' | 'circuit' = 'circuit'
  if (reader.peek()?.name === 'webrtc') {
    reader.next()
    protocol = 'webrtc'
  }
  const target = reader.next()
  if (target === undefined) reject('no peer ID after /p2p-circuit')
  if (target.name === 'p2p-circuit') reject('nested relays are not supported')
  if (target.name !== 'p2p') reject(`unsupported /${target.name} after /p2p-circuit (expected /webrtc or /p2p/<peerId>)`)
  const rest = reader.next()
  if (rest !== undefined) {
    if (rest.name === 'p2p-circuit') reject('nested relays are not supported')
    reject(`unexpected /${rest.name} after the peer ID`)
  }
  return createRelayedAddress(protocol, target.value ?? '', relay)
}

function readDirect (reader: ComponentReader, peerIdName: string): DirectAddressParts {
  const host = reader.next()
  if (host === undefined) reject('empty multiaddr')
  let hostType: HostType
  switch (host.name) {
    case 'ip4': case 'ip6': case 'memory': hostType = host.name; break
    case 'dns': case 'dns4': case 'dns6': hostType = 'dns'; break
    case 'ip6zone': return reject('IPv6 zone IDs are not allowed')
    case 'dnsaddr': return reject('/dnsaddr must be resolved to addresses before it is used')
    case 'p2p-circuit': return reject('a relayed address must start with the relay\'s address')
    case 'p2p': return reject('no host before /p2p (a bare peer ID is not an address)')
    default: return reject(`unsupported host /${host.name} (expected /ip4, /ip6, /dns, /dns4, /dns6 or /memory)`)
  }
  const hostname = host.value ?? ''
  let protocol: DirectAddressParts['protocol']
  let port: number | undefined
  const certhashes: string[] = []
  let sni: string | undefined
  if (hostType === 'memory') {
    protocol = 'memory'
  } else {
    const transport = reader.next()
    if (transport === undefined || transport.name === 'p2p') reject('no transport after the host (expected /tcp/<port> or /udp/<port>/webrtc-direct)')
    port = Number(transport.value)
    if (transport.name === 'tcp') {
      protocol = 'tcp'
      const next = reader.peek()
      if (next?.name === 'ws') {
        reader.next()
        protocol = 'ws'
      } else if (next?.name === 'wss') {
        reader.next()
        protocol = 'wss'
      } else if (next?.name === 'tls') {
        reader.next()
        if (reader.peek()?.name === 'sni') sni = reader.next()?.value ?? ''
        const ws = reader.next()
        if (ws?.name !== 'ws') reject('/tls must be followed by /ws (secure WebSockets)')
        protocol = 'wss'
      }
    } else if (transport.name === 'udp') {
      const next = reader.next()
      if (next?.name !== 'webrtc-direct') reject(`unsupported transport /udp/${transport.value ?? ''}${next === undefined ? '' : `/${next.name}`} (only /udp/<port>/webrtc-direct)`)
      protocol = 'webrtc-direct'
      while (reader.peek()?.name === 'certhash') certhashes.push(reader.next()?.value ?? '')
    } else {
      return reject(`unsupported transport /${transport.name} (expected /tcp or /udp/<port>/webrtc-direct)`)
    }
  }
  const p2p = reader.next()
  if (p2p === undefined) reject(`no ${peerIdName} (the multiaddr must end with /p2p/<peerId>)`)
  if (p2p.name !== 'p2p') reject(`unsupported /${p2p.name} in a ${protocol} multiaddr`)
  const parts: DirectAddressParts = { protocol, peerId: p2p.value ?? '', hostType, hostname, certhashes }
  if (port !== undefined) parts.port = port
  if (sni !== undefined) parts.sni = sni
  return parts
}

class ComponentReader {
  readonly #components: readonly Component[]
  #index = 0

  constructor (components: readonly Component[]) {
    this.#components = components
  }

  peek (): Component | undefined {
    return this.#components[this.#index]
  }

  next (): Component | undefined {
    const component = this.#components[this.#index]
    if (component !== undefined) this.#index++
    return component
  }

  done (): boolean {
    return this.#index >= this.#components.length
  }
}
