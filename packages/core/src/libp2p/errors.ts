/** Errors raised while building a libp2p node. */

/** A {@link Libp2pNodeInit} option is malformed or contradicts another one. */
export class InvalidLibp2pNodeInitError extends Error {
  static readonly NAME = 'InvalidLibp2pNodeInitError'
  override readonly name = InvalidLibp2pNodeInitError.NAME
  /** The option at fault, e.g. `listen[1]`. */
  readonly option: string

  constructor (option: string, message: string, options?: { cause?: unknown }) {
    super(`${option}: ${message}`, options)
    this.option = option
  }
}
