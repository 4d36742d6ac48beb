/**
 * Errors raised by peer stores. Each has a stable `name`; callers branch on the class or the
 * name, never on the message.
 */

/** A peer record failed validation: on `put()` (refused, nothing written) or while decoding. */
export class InvalidPeerRecordError extends Error {
  static override name = 'InvalidPeerRecordError'
  /** The path of the offending field (`addresses[3].url`), or `''` for the record itself. */
  readonly field: string

  constructor (message: string, field: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidPeerRecordError'
    this.field = field
  }
}

/** An operation was attempted on a peer store after `close()`. */
export class PeerStoreClosedError extends Error {
  static override name = 'PeerStoreClosedError'

  constructor (message = 'the peer store is closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerStoreClosedError'
  }
}

/** The underlying database failed (could not open, read or write). `cause` holds its error. */
export class PeerStoreIoError extends Error {
  static override name = 'PeerStoreIoError'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerStoreIoError'
  }
}
