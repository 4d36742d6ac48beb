/**
 * One error class per condition of the peer exchange, each with a stable `name`.
 * Errors caused by the remote peer carry the penalty kind that was reported for it.
 */
import type { PexMisbehaviour } from './constants.js'

/** The options passed to `peerExchange()` are inconsistent or out of range. */
export class InvalidPeerExchangeOptionsError extends Error {
  static readonly NAME = 'InvalidPeerExchangeOptionsError'
  override readonly name = InvalidPeerExchangeOptionsError.NAME
  /** The offending option. */
  readonly option: string

  constructor (option: string, message: string) {
    super(`Invalid peer exchange option "${option}": ${message}`)
    this.option = option
  }
}

/** `request()` was called for a peer while an earlier request to it is still outstanding. */
export class PexRequestInProgressError extends Error {
  static readonly NAME = 'PexRequestInProgressError'
  override readonly name = PexRequestInProgressError.NAME

  constructor (readonly peerId: string) {
    super(`A peer exchange request to ${peerId} is already outstanding`)
  }
}

/** `request()` was called for a peer we hold no connection to (peer exchange never dials). */
export class PexPeerNotConnectedError extends Error {
  static readonly NAME = 'PexPeerNotConnectedError'
  override readonly name = PexPeerNotConnectedError.NAME

  constructor (readonly peerId: string) {
    super(`Not connected to ${peerId}; peer exchange only asks connected peers`)
  }
}

/** `request()` was called before the service started or after it stopped. */
export class PexNotStartedError extends Error {
  static readonly NAME = 'PexNotStartedError'
  override readonly name = PexNotStartedError.NAME

  constructor () {
    super('The peer exchange service is not started')
  }
}

/** The peer closed the stream without sending a response (e.g. it rate-limited our request). */
export class PexNoResponseError extends Error {
  static readonly NAME = 'PexNoResponseError'
  override readonly name = PexNoResponseError.NAME

  constructor (readonly peerId: string) {
    super(`${peerId} closed the peer exchange stream without a response`)
  }
}

/**
 * The peer opened a request stream and closed it without a request: what a peer whose connection
 * closes mid-exchange (a duplicate connection being dropped, a tab going away) leaves behind, so
 * it is not penalised; the attempt still counts for `minRequestIntervalMs`.
 */
export class PexEmptyRequestError extends Error {
  static readonly NAME = 'PexEmptyRequestError'
  override readonly name = PexEmptyRequestError.NAME

  constructor (readonly peerId: string) {
    super(`${peerId} closed its peer exchange request stream without a request`)
  }
}

/** Base class of the errors for which the remote peer was penalised. */
export abstract class PexProtocolViolationError extends Error {
  /** The misbehaviour reported to the PeerExchangeReporter. */
  abstract readonly misbehaviour: PexMisbehaviour

  constructor (readonly peerId: string, message: string, options?: ErrorOptions) {
    super(message, options)
  }
}

/** The peer sent bytes that do not decode as the expected message. */
export class PexInvalidMessageError extends PexProtocolViolationError {
  static readonly NAME = 'PexInvalidMessageError'
  override readonly name = PexInvalidMessageError.NAME
  readonly misbehaviour = 'invalid-message'
}

/** The peer sent a frame larger than the byte cap. */
export class PexMessageTooLargeError extends PexProtocolViolationError {
  static readonly NAME = 'PexMessageTooLargeError'
  override readonly name = PexMessageTooLargeError.NAME
  readonly misbehaviour = 'oversized-message'
}

/** The peer sent a message nobody asked for (or more than the one expected). */
export class PexUnsolicitedMessageError extends PexProtocolViolationError {
  static readonly NAME = 'PexUnsolicitedMessageError'
  override readonly name = PexUnsolicitedMessageError.NAME
  readonly misbehaviour = 'unsolicited-message'
}

/** The response carried more addresses than allowed. */
export class PexTooManyAddressesError extends PexProtocolViolationError {
  static readonly NAME = 'PexTooManyAddressesError'
  override readonly name = PexTooManyAddressesError.NAME
  readonly misbehaviour = 'too-many-addresses'
}

/** Most addresses of the response were invalid; the whole response was discarded. */
export class PexMostlyInvalidAddressesError extends PexProtocolViolationError {
  static readonly NAME = 'PexMostlyInvalidAddressesError'
  override readonly name = PexMostlyInvalidAddressesError.NAME
  readonly misbehaviour = 'mostly-invalid-addresses'
}

/** The peer asked again sooner than `minRequestIntervalMs` after its previous request. */
export class PexRequestTooSoonError extends PexProtocolViolationError {
  static readonly NAME = 'PexRequestTooSoonError'
  override readonly name = PexRequestTooSoonError.NAME
  readonly misbehaviour = 'request-too-soon'
}

/** The peer did not complete the exchange within `requestTimeoutMs`. */
export class PexTimeoutError extends PexProtocolViolationError {
  static readonly NAME = 'PexTimeoutError'
  override readonly name = PexTimeoutError.NAME
  readonly misbehaviour = 'timeout'
}

/** The reason a scheduled request is aborted when its peer is stopped. */
export class PexSchedulerStoppedError extends Error {
  static readonly NAME = 'PexSchedulerStoppedError'
  override readonly name = PexSchedulerStoppedError.NAME

  constructor (readonly peerId: string) {
    super(`Peer exchange requests to ${peerId} were stopped`)
  }
}
