/**
 * Peer exchange, `/peermesh/pex/1.0.0`: connected peers tell each other the addresses they know
 * (CometBFT's PEX, over libp2p streams, reaching browser peers through relays). The wire format and
 * limits are in docs/PROTOCOL.md, "Peer exchange".
 *
 * @example
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { peerExchange } from '@peermesh/core'
 *
 * const node = await createLibp2p({
 *   // transports, encrypters, muxers…
 *   services: { pex: peerExchange({ book: peerManagerAsBook, reporter: peerManager }) }
 * })
 * node.services.pex.startRequesting(remotePeerId) // when a connection is up
 * const { added } = await node.services.pex.request(remotePeerId, { signal })
 * ```
 */
import { createPeerExchangeOptions } from './options.js'
import { PeerExchangeService, type PeerExchange, type PeerExchangeComponents, type PeerExchangeInit } from './peer-exchange.js'

export type { PeerExchangeBook, PeerExchangeReporter } from './book.js'
export { peerManagerBook } from './book.js'
export { PEX_PROTOCOL, PEX_MAX_REQUEST_BYTES, PEX_PENALTY_POINTS, PEX_DEFAULTS, type PexMisbehaviour } from './constants.js'
export {
  InvalidPeerExchangeOptionsError,
  PexRequestInProgressError,
  PexPeerNotConnectedError,
  PexNotStartedError,
  PexNoResponseError,
  PexEmptyRequestError,
  PexProtocolViolationError,
  PexInvalidMessageError,
  PexMessageTooLargeError,
  PexUnsolicitedMessageError,
  PexTooManyAddressesError,
  PexMostlyInvalidAddressesError,
  PexRequestTooSoonError,
  PexTimeoutError,
  PexSchedulerStoppedError
} from './errors.js'
export {
  defaultPeerExchangeOptions,
  createPeerExchangeOptions,
  validatePeerExchangeOptions,
  type PeerExchangeOptions
} from './options.js'
export type {
  PeerExchange,
  PeerExchangeComponents,
  PeerExchangeConnectionManager,
  PeerExchangeInit,
  PeerExchangeRegistrar,
  PexResult,
  PexStats
} from './peer-exchange.js'
export { PexPolicy, type PexPolicyInit, type PexLog } from './pex-policy.js'
export {
  nextPexRequestDelayMs,
  basePexRequestDelayMs,
  jitterDelayMs,
  type PexRequestDelayInput,
  type PexRequestDelayOptions
} from './request-delay.js'
export {
  PexRequestScheduler,
  type PexRequestSchedulerInit,
  type PexRequestOutcome,
  type ScheduledPexPeer
} from './request-scheduler.js'

/**
 * The peer exchange as a libp2p service. The options are validated here, when the node is
 * configured, not when it starts.
 *
 * @throws {InvalidPeerExchangeOptionsError} for out-of-range or inconsistent options
 */
export function peerExchange (init: PeerExchangeInit): (components: PeerExchangeComponents) => PeerExchange {
  const options = createPeerExchangeOptions(init)
  return (components) => new PeerExchangeService(components, init, options)
}
