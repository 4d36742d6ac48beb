/** One error class per condition of the relay reservations service, each with a stable `name`. */

/** The options passed to `relayReservations()` are out of range or inconsistent. */
export class InvalidRelayReservationsOptionsError extends Error {
  static readonly NAME = 'InvalidRelayReservationsOptionsError'
  override readonly name = InvalidRelayReservationsOptionsError.NAME
  /** The offending option. */
  readonly option: string

  constructor (option: string, message: string) {
    super(`Invalid relay reservations option "${option}": ${message}`)
    this.option = option
  }
}

/**
 * A reservation attempt on one relay failed (the relay refused, timed out, or the circuit relay
 * transport would not listen on it). Kept in the relay's entry of `candidates()`; the service
 * retries that relay after a backoff and meanwhile tries another one.
 */
export class RelayReservationFailedError extends Error {
  static readonly NAME = 'RelayReservationFailedError'
  override readonly name = RelayReservationFailedError.NAME
  /** The relay's peer ID. */
  readonly relay: string

  constructor (relay: string, message: string, options?: { cause?: unknown }) {
    super(`Reservation on relay ${relay} failed: ${message}`, options)
    this.relay = relay
  }
}
