/**
 * @peermesh/core: NodeAddress URLs, the PeerManager state machine, peer stores, peer exchange
 * and the libp2p router, for Node.js and browsers.
 */

// Peer stores (docs/ARCHITECTURE.md, "Storage")
export type { AddressSource, StoredAddress, PeerRecord, PeerStoreLoadResult, PeerStore } from './store/peer-store.js'
export { InvalidPeerRecordError, PeerStoreClosedError, PeerStoreIoError } from './store/errors.js'
export {
  PEER_RECORD_VERSION,
  MAX_ADDRESSES_PER_PEER,
  MAX_ADDRESS_URL_BYTES,
  MAX_BAN_REASON_BYTES,
  MAX_PEER_ID_LENGTH,
  MAX_PEER_RECORD_BYTES,
  encodePeerRecord,
  decodePeerRecord,
  decodeClonedPeerRecord,
  validatePeerRecord,
  validatePeerIdString
} from './store/peer-record-codec.js'
export { createMemoryPeerStore, type MemoryPeerStoreInit } from './store/memory-peer-store.js'
// LevelDB in Node.js, IndexedDB in browsers (swapped by the package.json "browser" map).
export { createPersistentPeerStore } from './store/persistent-peer-store.node.js'
export type { PersistentPeerStoreInit } from './store/persistent-peer-store-init.js'
// IndexedDB only (idb-keyval); importable in Node, usable where `indexedDB` exists.
export { createIndexedDbPeerStore, type IndexedDbPeerStoreInit } from './store/indexeddb-peer-store.js'

// The node's private key: a 0600 file in Node.js, IndexedDB in browsers (docs/ARCHITECTURE.md, "Storage")
export { loadOrCreatePrivateKey, forgetPrivateKey } from './identity/private-key-store.node.js'
export type { PrivateKeyStoreInit, LoadedPrivateKey } from './identity/private-key-store-init.js'
export { MAX_PRIVATE_KEY_BYTES } from './identity/private-key-store-init.js'
export { PrivateKeyCorruptError, PrivateKeyStoreIoError } from './identity/errors.js'

// libp2p node factory (docs/ARCHITECTURE.md, "Transports"). Node.js builds import the Node 20
// shim (Promise.withResolvers, global WebSocket) first; browsers get create-libp2p.browser.js.
export { createLibp2pNode, createWebRtcDirectCertificate, webRtcDirectCertificateFromPem } from './libp2p/create-libp2p.node.js'
export type { IceServersSource, WebRtcDirectCertificateInit, Libp2pNodeInit, Libp2pNodeRole, Libp2pNodeServices, RelayServerInit } from './libp2p/init.js'
export { InvalidLibp2pNodeInitError } from './libp2p/errors.js'
export type { TlsCertificates, WebSocketTlsInit } from './libp2p/tls.js'
export { ICE_SERVER_LIMITS, InvalidIceServersError, parseIceServersText, validateIceServers } from './libp2p/ice-servers.js'
export {
  LIBP2P_NODE_DEFAULTS,
  BROWSER_DEFAULTS,
  RELAY_SERVER_DEFAULTS,
  GOSSIPSUB_DEFAULTS,
  WEBRTC_MEMBER_LISTEN,
  RELAY_WEBSOCKET_LISTEN
} from './libp2p/constants.js'
export { deniedByDialAddressPolicy, type DialAddressPolicy } from './libp2p/connection-gater.js'

// Node addresses (docs/PROTOCOL.md, "Addresses")
export * from './address/index.js'

// Peer manager (docs/ARCHITECTURE.md, "Peer lifecycle")
export * from './peer-manager/index.js'

// Peer exchange, /peermesh/pex/1.0.0 (docs/PROTOCOL.md, "Peer exchange")
export * from './pex/index.js'

// Relay reservations on up to N relays, renewed after a relay restart (docs/ARCHITECTURE.md, "Relay reservations")
export * from './relay-reservations/index.js'

// Time, randomness, logging: injected everywhere
export { systemClock, systemRandom, delay, type Clock, type Random, type TimerHandle } from './clock.js'
export { logText, silentLogger, toLogValue, type LoggedError, type LoggedErrorEvent, type Logger } from './logger.js'
export { createComponentLogger, formatLogArguments, MAX_LOG_MESSAGE_CHARS, OWN_COMPONENT_PREFIX, type ComponentLoggerInit } from './libp2p/component-logger.js'

// The node: factory, public API, router, topology, broadcast (docs/ARCHITECTURE.md)
export { createPeerMeshNode, selfAddresses, type PeerMeshNodeInit } from './node/create-node.js'
export { NodeStoppedError } from './node/errors.js'
export type {
  PeerMeshNode,
  PeerMeshNodeEvents,
  PeerView,
  PeerState,
  PeerRole,
  PeerTransport,
  TopologyGraph,
  TopologyNode,
  TopologyEdge,
  BroadcastMessage,
  NodeLogEvent
} from './node/types.js'
export {
  MeshRouter,
  defaultMeshRouterOptions,
  createMeshRouterOptions,
  validateMeshRouterOptions,
  InvalidMeshRouterOptionsError,
  DialTimeoutError,
  type MeshRouterOptions,
  type MeshRouterStats,
  type NeighbourLink
} from './router/router.js'
export { transportOf, preferredConnection, isEstablished, peerConnectionOf, selectedCandidatePair, selectedPairFromStats } from './router/connection-kind.js'
export type { IceCandidateType, PeerConnectionState, SelectedCandidatePair } from './router/connection-kind.js'
export { MeshTopology, TOPOLOGY_TOPIC, defaultMeshTopologyOptions, type MeshTopologyOptions } from './topology/mesh-topology.js'
export { BroadcastChannel, BROADCAST_TOPIC, BroadcastTooLargeError, defaultBroadcastChannelOptions, type BroadcastChannelOptions } from './broadcast/broadcast-channel.js'
