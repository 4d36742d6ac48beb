/** Errors raised while loading or storing the node's private key. Each has a stable `name`. */

/**
 * The stored private key cannot be decoded. It is never replaced automatically: that would
 * silently give the node a new identity. Move the file (or clear the site data) to start afresh.
 */
export class PrivateKeyCorruptError extends Error {
  static override name = 'PrivateKeyCorruptError'
  /** Where the key is stored: a file path in Node.js, an IndexedDB database name in browsers. */
  readonly location: string

  constructor (message: string, location: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PrivateKeyCorruptError'
    this.location = location
  }
}

/** The key storage itself failed (unreadable file, no permission, IndexedDB unavailable). `cause` holds its error. */
export class PrivateKeyStoreIoError extends Error {
  static override name = 'PrivateKeyStoreIoError'
  readonly location: string

  constructor (message: string, location: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PrivateKeyStoreIoError'
    this.location = location
  }
}
