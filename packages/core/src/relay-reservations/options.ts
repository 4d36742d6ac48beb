/**
 * The tunable numbers of the relay reservations service, as a trio:
 * {@link defaultRelayReservationsOptions}, {@link createRelayReservationsOptions} (fill in
 * defaults and validate) and {@link validateRelayReservationsOptions}.
 */
import { InvalidRelayReservationsOptionsError } from './errors.js'

export interface RelayReservationsOptions {
  /**
   * Relays to hold a reservation on at once (each one gives us one relayed WebRTC address).
   * Fewer are held when fewer relays are connected. 0 turns reservations off: the node is then
   * reachable only through addresses it listens on itself.
   *
   * @default 2
   */
  targetRelays: number
  /**
   * After a failed reservation, the relay is not tried again for this long; the delay doubles
   * with every failure in a row up to {@link maxRetryDelayMs} (±10 % jitter), and resets once a
   * reservation on it succeeds.
   *
   * @default 1000
   */
  retryDelayMs: number
  /**
   * Upper bound of the retry delay of a relay that keeps failing.
   *
   * @default 60000
   */
  maxRetryDelayMs: number
  /**
   * Most relays remembered as candidates (connected peers that speak the circuit relay HOP
   * protocol). A relay that identifies while the list is full is not remembered (it is
   * considered again when it next identifies, e.g. after reconnecting).
   *
   * @default 64
   */
  maxCandidates: number
}

export const defaultRelayReservationsOptions: Readonly<RelayReservationsOptions> = Object.freeze({
  targetRelays: 2,
  retryDelayMs: 1000,
  maxRetryDelayMs: 60_000,
  maxCandidates: 64
})

/** Upper bound of `targetRelays`: every reservation is a listener and a relayed address. */
export const MAX_TARGET_RELAYS = 16

/** Fills in defaults and validates. @throws {InvalidRelayReservationsOptionsError} */
export function createRelayReservationsOptions (partial: Partial<RelayReservationsOptions> = {}): RelayReservationsOptions {
  const options: RelayReservationsOptions = {
    targetRelays: partial.targetRelays ?? defaultRelayReservationsOptions.targetRelays,
    retryDelayMs: partial.retryDelayMs ?? defaultRelayReservationsOptions.retryDelayMs,
    maxRetryDelayMs: partial.maxRetryDelayMs ?? defaultRelayReservationsOptions.maxRetryDelayMs,
    maxCandidates: partial.maxCandidates ?? defaultRelayReservationsOptions.maxCandidates
  }
  validateRelayReservationsOptions(options)
  return options
}

/** @throws {InvalidRelayReservationsOptionsError} for the first offending option */
export function validateRelayReservationsOptions (o: RelayReservationsOptions): void {
  if (!Number.isSafeInteger(o.targetRelays) || o.targetRelays < 0 || o.targetRelays > MAX_TARGET_RELAYS) {
    throw new InvalidRelayReservationsOptionsError('targetRelays', `expected an integer from 0 to ${MAX_TARGET_RELAYS}, got ${String(o.targetRelays)}`)
  }
  if (!Number.isFinite(o.retryDelayMs) || o.retryDelayMs <= 0) {
    throw new InvalidRelayReservationsOptionsError('retryDelayMs', `expected a number > 0, got ${String(o.retryDelayMs)}`)
  }
  if (!Number.isFinite(o.maxRetryDelayMs) || o.maxRetryDelayMs < o.retryDelayMs) {
    throw new InvalidRelayReservationsOptionsError('maxRetryDelayMs', `expected a number ≥ retryDelayMs (${o.retryDelayMs}), got ${String(o.maxRetryDelayMs)}`)
  }
  if (!Number.isSafeInteger(o.maxCandidates) || o.maxCandidates < o.targetRelays) {
    throw new InvalidRelayReservationsOptionsError('maxCandidates', `expected an integer ≥ targetRelays (${o.targetRelays}), got ${String(o.maxCandidates)}`)
  }
}
