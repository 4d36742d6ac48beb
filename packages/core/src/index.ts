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
