/**
 * Relay side: a client's reservation ends when its last connection to the relay closes.
 *
 * libp2p's circuit relay server keeps a reservation until its TTL (2 hours on our relays) even
 * after the client has gone, and refuses new reservations once `maxReservations` are held. With
 * members reserving on two relays each, tabs that come and go would fill a relay within hours and
 * newcomers would get RESERVATION_REFUSED (measured: `maxReservations: 1`, the holder stops, the
 * next member is refused). A reservation is only usable while the client is connected anyway (the
 * relay reaches it over that connection), and go-libp2p's relay drops it on disconnect too.
 *
 * We expire it through the server's own path: resetting the reservation's expiry signal to 0
 * fires its abort event, on which the server deletes the entry.
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'

/** What the releaser needs of a libp2p relay node. */
export interface ReservationReleaseComponents {
  events: TypedEventTarget<Pick<Libp2pEvents, 'connection:close'>>
  getConnections(peerId?: PeerId): Connection[]
  relay: Pick<CircuitRelayService, 'reservations'>
}

export interface ReservationRelease {
  /** Reservations released because their client disconnected. */
  released(): number
  /** Stops watching disconnects. */
  close(): void
}

/** Releases a client's reservation as soon as its last connection to this relay closes. */
export function releaseReservationsOnDisconnect (components: ReservationReleaseComponents): ReservationRelease {
  let released = 0
  const onClose = (event: CustomEvent<Connection>): void => {
    const peer = event.detail.remotePeer
    const reservation = components.relay.reservations.get(peer)
    if (reservation == null) return
    if (components.getConnections(peer).some(c => c !== event.detail && c.status === 'open')) return
    released++
    reservation.signal.reset(0)
  }
  components.events.addEventListener('connection:close', onClose)
  return {
    released: () => released,
    close: () => { components.events.removeEventListener('connection:close', onClose) }
  }
}
