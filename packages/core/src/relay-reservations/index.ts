/**
 * Relay reservations: a member (browser tab or Node `role: 'node'`) keeps circuit relay
 * reservations on up to `targetRelays` connected relays (our bootstrap relays first), renews them
 * when a relay comes back after a restart (js-libp2p issue 3601), and fails over to another
 * connected relay when one goes away. Each reservation gives the node one relayed WebRTC address
 * (`webrtc+ws://<us>@<relay host>/via/<relay>`). docs/ARCHITECTURE.md, "Relay reservations".
 *
 * @example
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { relayReservations } from '@peermesh/core'
 *
 * const node = await createLibp2p({
 *   addresses: { listen: ['/webrtc'] }, // no '/p2p-circuit': the service reserves
 *   // transports incl. circuitRelayTransport() and webRTC(), identify, encrypters, muxers…
 *   services: { relayReservations: relayReservations({ targetRelays: 2, preferredRelays: [relayId] }) }
 * })
 * node.services.relayReservations.reservations() // [{ relay, addresses, reservedAt }]
 * ```
 */
import { createRelayReservationsOptions } from './options.js'
import { RelayReservationsService, type RelayReservations, type RelayReservationsComponents, type RelayReservationsInit } from './relay-reservations.js'

export { InvalidRelayReservationsOptionsError, RelayReservationFailedError } from './errors.js'
export {
  defaultRelayReservationsOptions,
  createRelayReservationsOptions,
  validateRelayReservationsOptions,
  MAX_TARGET_RELAYS,
  type RelayReservationsOptions
} from './options.js'
export {
  releaseReservationsOnDisconnect,
  type ReservationRelease,
  type ReservationReleaseComponents
} from './release-on-disconnect.js'
export {
  RELAY_HOP_PROTOCOL,
  type RelayReservations,
  type RelayReservationsComponents,
  type RelayReservationsConnectionManager,
  type RelayReservationsTransportManager,
  type RelayReservationsInit,
  type RelayReservation,
  type RelayCandidate,
  type RelayReservationsStats
} from './relay-reservations.js'

/**
 * The relay reservations service for libp2p. Options are validated here, when the node is
 * configured, not when it starts.
 *
 * @throws {InvalidRelayReservationsOptionsError} for out-of-range or inconsistent options
 */
export function relayReservations (init: RelayReservationsInit = {}): (components: RelayReservationsComponents) => RelayReservations {
  const options = createRelayReservationsOptions(init)
  return (components) => new RelayReservationsService(components, init, options)
}
