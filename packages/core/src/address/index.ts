/**
 * Node addresses: one dialable address of one peer, written as a URL
 * (`wss://<peerId>@relay.example.com`) and convertible to and from the multiaddr libp2p dials.
 * The grammar is in docs/PROTOCOL.md, "Addresses".
 *
 * @example
 * ```ts
 * import { parseNodeAddress, nodeAddressFromMultiaddr } from '@peermesh/core'
 *
 * const a = parseNodeAddress('tcp://12D3KooW…@127.0.0.1:4001')
 * const b = nodeAddressFromMultiaddr(a.toMultiaddr())
 * a.equals(b) // true
 * ```
 */
export { InvalidNodeAddressError } from './errors.js'
export {
  NodeAddress,
  DEFAULT_PORTS,
  MAX_NODE_ADDRESS_LENGTH,
  type DirectProtocol,
  type RelayedProtocol,
  type NodeAddressProtocol
} from './node-address.js'
export type { HostType } from './host.js'
export { MAX_CERTHASHES } from './certhash.js'
export { parseNodeAddress, nodeAddressFromMultiaddr } from './parse.js'
export { addressGroup } from './address-group.js'
export { isLoopbackAddress, isPrivateAddress, isRelayedAddress } from './network-scope.js'
