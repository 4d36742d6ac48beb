/**
 * The PeerManager: which peers to dial, accept and evict (CometBFT's design, plus a minimum
 * degree, decaying misbehaviour points with bans, subnet caps and stale-peer handling).
 * See docs/ARCHITECTURE.md, "Peer lifecycle".
 */
export { openPeerManager } from './peer-manager.js'
export type {
  PeerManager, PeerManagerInit, AddOptions, PeerSnapshot, PeerManagerStats, AddressRefusal, DialFailure
} from './types.js'
export {
  defaultPeerManagerOptions,
  browserPeerManagerOptions,
  relayPeerManagerOptions,
  createPeerManagerOptions,
  validatePeerManagerOptions,
  misbehaviourPoints,
  type PeerManagerOptions
} from './options.js'
export { maxPeerScore, minPeerScore, persistentPeerScore } from './peer-entry.js'
export type { PeerUpdate, PeerUpdateSubscription, SubscribeOptions } from './subscription.js'
export {
  InvalidPeerManagerOptionsError,
  SelfConnectionError,
  AlreadyConnectedError,
  ConnectionLimitError,
  UnknownPeerError,
  PeerBannedError,
  InactivePeerError,
  PeerManagerClosedError
} from './errors.js'
