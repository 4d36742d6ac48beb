/**
 * Errors raised by the PeerManager. One class per condition, each with a stable `name`: callers
 * (the router) branch on the class or the name, never on the message.
 */

/** Options that conflict with each other; `problems` lists every conflict found. */
export class InvalidPeerManagerOptionsError extends Error {
  static override name = 'InvalidPeerManagerOptionsError'
  readonly problems: readonly string[]

  constructor (problems: readonly string[], options?: ErrorOptions) {
    super(`invalid peer manager options: ${problems.join('; ')}`, options)
    this.name = 'InvalidPeerManagerOptionsError'
    this.problems = problems
  }
}

/** A connection to or from our own PeerId, or an attempt to store our own address as a peer's. */
export class SelfConnectionError extends Error {
  static override name = 'SelfConnectionError'

  constructor (message = 'refusing to connect to ourselves', options?: ErrorOptions) {
    super(message, options)
    this.name = 'SelfConnectionError'
  }
}

/** `dialed()` / `accepted()` for a peer that already has a connection (the first one wins). */
export class AlreadyConnectedError extends Error {
  static override name = 'AlreadyConnectedError'
  readonly peerId: string

  constructor (peerId: string, options?: ErrorOptions) {
    super(`peer ${peerId} is already connected`, options)
    this.name = 'AlreadyConnectedError'
    this.peerId = peerId
  }
}

/** Every connection slot is taken and the peer may not upgrade over a lower-scored one. */
export class ConnectionLimitError extends Error {
  static override name = 'ConnectionLimitError'
  readonly peerId: string

  constructor (peerId: string, options?: ErrorOptions) {
    super(`already connected to the maximum number of peers; refusing ${peerId}`, options)
    this.name = 'ConnectionLimitError'
    this.peerId = peerId
  }
}

/** `dialed()` for a peer the manager does not know (never added, or pruned while dialing). */
export class UnknownPeerError extends Error {
  static override name = 'UnknownPeerError'
  readonly peerId: string

  constructor (peerId: string, options?: ErrorOptions) {
    super(`peer ${peerId} is not known to the peer manager`, options)
    this.name = 'UnknownPeerError'
    this.peerId = peerId
  }
}

/** A connection with a banned peer: the router must close it. */
export class PeerBannedError extends Error {
  static override name = 'PeerBannedError'
  readonly peerId: string
  /** Epoch ms when the ban ends. */
  readonly bannedUntil: number

  constructor (peerId: string, bannedUntil: number, options?: ErrorOptions) {
    const until = new Date(bannedUntil)
    super(`peer ${peerId} is banned ${Number.isNaN(until.getTime()) ? 'indefinitely' : `until ${until.toISOString()}`}`, options)
    this.name = 'PeerBannedError'
    this.peerId = peerId
    this.bannedUntil = bannedUntil
  }
}

/** A connection with a peer marked inactive (incompatible): the router must close it. */
export class InactivePeerError extends Error {
  static override name = 'InactivePeerError'
  readonly peerId: string

  constructor (peerId: string, options?: ErrorOptions) {
    super(`peer ${peerId} is marked inactive`, options)
    this.name = 'InactivePeerError'
    this.peerId = peerId
  }
}

/** `dialNext()` / `evictNext()` on a manager that is closed (or closed while they waited). */
export class PeerManagerClosedError extends Error {
  static override name = 'PeerManagerClosedError'

  constructor (message = 'the peer manager is closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerManagerClosedError'
  }
}
