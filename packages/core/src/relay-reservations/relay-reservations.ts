/**
 * Keeps circuit relay reservations on up to `targetRelays` connected relays, renews them when a
 * relay comes back after a restart, and fails over to another relay when one goes away.
 *
 * Why not libp2p's own relay discovery: a `/p2p-circuit` listen address asks the circuit relay
 * transport for one reservation on whichever relay it finds, and a `<relay>/p2p-circuit` address
 * reserves on one relay exactly once: when that relay restarts the client reconnects but never
 * reserves again (js-libp2p issue 3601). This service owns reservations instead. It never dials:
 * the router keeps the connections (bootstrap relays are persistent peers, redialled after a
 * restart); the service reserves on what is connected.
 *
 * Flow (each step a synchronous state change; only `reserve` awaits):
 * 1. `peer:identify` over a direct connection lists the HOP protocol → the peer is a candidate.
 * 2. `reconcile()`: a slot whose relay is no longer a candidate, or whose listener lost its
 *    addresses, is freed; every free slot takes the best candidate not held by another slot
 *    (nor by a circuit listener outside our slots, e.g. from a `/p2p-circuit` listen address)
 *    (preferred relays first, then in the order they connected) that is not backing off.
 * 3. `reserve(slot, relay)`: the slot's circuit listener listens on `/p2p/<relay>/p2p-circuit`
 *    (the first time, `transportManager.listen()` creates the listener; later the slot reuses
 *    it, so renewals create no listeners). Success: the listener carries the relayed addresses,
 *    libp2p announces them (`self:peer:update`). Failure: the relay backs off (doubling delay on
 *    the injected clock) and the slot goes to another candidate.
 * 4. `connection:close` of a relay's last direct connection → no longer a candidate → step 2.
 *    When it reconnects (after a restart), step 1 makes it a candidate again and a free slot
 *    reserves on it: that is the renewal that issue 3601 lacks.
 *
 * A slot never moves off a relay it still holds a reservation on: closing a circuit listener
 * would cancel every reservation of the transport, and a listener that moved on would leave the
 * old reservation refreshing in the transport's store unseen.
 */
import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import type { ComponentLogger, Connection, IdentifyResult, Libp2pEvents, Listener, Logger as Libp2pLogger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import { CODE_P2P, CODE_P2P_CIRCUIT, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Circuit } from '@multiformats/multiaddr-matcher'
import { backoffDelayMs } from '../backoff.js'
import { systemClock, systemRandom, type Clock, type Random, type TimerHandle } from '../clock.js'
import { RelayReservationFailedError } from './errors.js'
import type { RelayReservationsOptions } from './options.js'

/** The circuit relay v2 HOP protocol: a peer that announces it (identify) can be reserved on. */
export const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/** The part of libp2p's transport manager the service uses. */
export interface RelayReservationsTransportManager {
  listen(addrs: Multiaddr[]): Promise<void>
  getListeners(): Listener[]
}

/** The part of libp2p's connection manager the service uses (it never dials). */
export interface RelayReservationsConnectionManager {
  getConnections(peerId?: PeerId): Connection[]
}

/** The libp2p components the service uses. */
export interface RelayReservationsComponents {
  /** Our own peer ID: we never reserve on ourselves. */
  peerId: PeerId
  /** `peer:identify`, `connection:close` and `transport:listening`. */
  events: TypedEventTarget<Libp2pEvents>
  transportManager: RelayReservationsTransportManager
  connectionManager: RelayReservationsConnectionManager
  logger: ComponentLogger
}

/** Dependencies of the service that libp2p does not provide, plus its options. */
export interface RelayReservationsInit extends Partial<RelayReservationsOptions> {
  /**
   * Peer IDs of relays to reserve on first when they are connected (our bootstrap relays).
   *
   * @default []
   */
  preferredRelays?: string[]
  /**
   * Drives retry backoffs and reservation timestamps.
   *
   * @default systemClock
   */
  clock?: Clock
  /**
   * Jitter of retry backoffs.
   *
   * @default systemRandom
   */
  random?: Random
}

/** A reservation we hold. */
export interface RelayReservation {
  /** The relay's peer ID. */
  relay: string
  /** Our relayed circuit multiaddrs on it (`<relay>/p2p-circuit`; WebRTC appends `/webrtc`). */
  addresses: string[]
  /** Clock time when it was made. */
  reservedAt: number
}

/** A connected relay we could reserve on. */
export interface RelayCandidate {
  relay: string
  preferred: boolean
  /** Failed reservations in a row. */
  failures: number
  /** Clock time before which it is not tried again (after a failure). */
  retryAt?: number
  /** The name of the last failure's error. */
  lastError?: string
}

export interface RelayReservationsStats {
  /** Reservations held now. */
  reservations: number
  /** Connected relays we could reserve on. */
  candidates: number
  /** Reservation attempts started. */
  attempts: number
  /** Attempts that failed. */
  failures: number
  /** Reservations lost (relay gone, or the transport dropped the reservation). */
  lost: number
  /** Reservations made again on a relay we had lost one on (e.g. after the relay restarted). */
  renewals: number
}

export interface RelayReservations {
  /** The reservations held now, one per relay. */
  reservations(): RelayReservation[]
  /** The connected relays known to the service, reserved on or not. */
  candidates(): RelayCandidate[]
  stats(): RelayReservationsStats
}

interface Candidate {
  peerId: PeerId
  preferred: boolean
  failures: number
  retryAt: number
  lastError?: string
}

interface Slot {
  /** The circuit listener this slot reserves through, created on its first reservation. */
  listener?: Listener
  /** The relay this slot reserves on (while reserving) or holds a reservation on. */
  relay?: string
  state: 'free' | 'reserving' | 'reserved'
  reservedAt: number
}

export class RelayReservationsService implements RelayReservations, Startable {
  readonly options: Readonly<RelayReservationsOptions>
  readonly [Symbol.toStringTag] = '@peermesh/relay-reservations'
  readonly [serviceCapabilities]: string[] = ['@peermesh/relay-reservations']
  /** The circuit relay transport listens for us; identify tells us who relays. */
  readonly [serviceDependencies]: string[] = ['@libp2p/identify', '@libp2p/circuit-relay-v2-transport']

  readonly #components: RelayReservationsComponents
  readonly #preferred: ReadonlySet<string>
  readonly #clock: Clock
  readonly #random: Random
  readonly #log: Libp2pLogger
  readonly #selfId: string
  readonly #candidates = new Map<string, Candidate>()
  readonly #slots: Slot[]
  /** Relays we held a reservation on and lost, bounded by `maxCandidates` (oldest forgotten). */
  readonly #formerRelays = new Set<string>()
  readonly #counters = { attempts: 0, failures: 0, lost: 0, renewals: 0 }
  #running = false
  #retryTimer?: TimerHandle
  #retryAt = Number.POSITIVE_INFINITY

  constructor (components: RelayReservationsComponents, init: RelayReservationsInit, options: RelayReservationsOptions) {
    this.#components = components
    this.options = Object.freeze({ ...options })
    this.#preferred = new Set(init.preferredRelays ?? [])
    this.#clock = init.clock ?? systemClock
    this.#random = init.random ?? systemRandom
    this.#log = components.logger.forComponent('peermesh:relay-reservations')
    this.#selfId = components.peerId.toString()
    this.#slots = Array.from({ length: options.targetRelays }, () => ({ state: 'free', reservedAt: 0 }))
  }

  isStarted (): boolean {
    return this.#running
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    this.#components.events.addEventListener('peer:identify', this.#onIdentify)
    this.#components.events.addEventListener('connection:close', this.#onConnectionClose)
    this.#components.events.addEventListener('transport:listening', this.#onListening)
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    this.#components.events.removeEventListener('peer:identify', this.#onIdentify)
    this.#components.events.removeEventListener('connection:close', this.#onConnectionClose)
    this.#components.events.removeEventListener('transport:listening', this.#onListening)
    this.#cancelRetry()
    this.#candidates.clear()
    // libp2p closes the listeners (and with them every reservation) when it stops
    for (const slot of this.#slots) {
      slot.listener = undefined
      slot.relay = undefined
      slot.state = 'free'
    }
  }

  reservations (): RelayReservation[] {
    const out: RelayReservation[] = []
    for (const slot of this.#slots) {
      if (slot.state !== 'reserved' || slot.relay == null || slot.listener == null) continue
      const addresses = slot.listener.getAddrs().map(ma => ma.toString())
      if (addresses.length === 0) continue
      out.push({ relay: slot.relay, addresses, reservedAt: slot.reservedAt })
    }
    return out
  }

  candidates (): RelayCandidate[] {
    return [...this.#candidates.entries()].map(([relay, c]) => ({
      relay,
      preferred: c.preferred,
      failures: c.failures,
      ...(c.retryAt > 0 ? { retryAt: c.retryAt } : {}),
      ...(c.lastError != null ? { lastError: c.lastError } : {})
    }))
  }

  stats (): RelayReservationsStats {
    return { reservations: this.reservations().length, candidates: this.#candidates.size, ...this.#counters }
  }

  // ---- libp2p events ----------------------------------------------------------------------------

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = event.detail
    const id = peerId.toString()
    if (id === this.#selfId) return
    if (!protocols.includes(RELAY_HOP_PROTOCOL)) {
      // identify (push) says it stopped relaying: a slot on it is freed by reconcile
      if (this.#candidates.delete(id)) this.#reconcile()
      return
    }
    // a reservation over a relayed connection is refused by the transport (no double relay)
    if (!isDirect(connection) || this.#candidates.has(id)) {
      this.#reconcile()
      return
    }
    if (this.#candidates.size >= this.options.maxCandidates) {
      this.#log('ignoring relay %p: %d candidates already', peerId, this.#candidates.size)
      return
    }
    this.#candidates.set(id, { peerId, preferred: this.#preferred.has(id), failures: 0, retryAt: 0 })
    this.#log('relay %p connected (preferred: %s)', peerId, this.#preferred.has(id))
    this.#reconcile()
  }

  readonly #onConnectionClose = (event: CustomEvent<Connection>): void => {
    const closed = event.detail
    const id = closed.remotePeer.toString()
    const candidate = this.#candidates.get(id)
    if (candidate == null) return
    const stillDirect = this.#components.connectionManager.getConnections(candidate.peerId)
      .some(c => c !== closed && c.status === 'open' && isDirect(c))
    if (stillDirect) return
    this.#candidates.delete(id)
    this.#log('relay %p disconnected', closed.remotePeer)
    this.#reconcile()
  }

  /** A listener announced a change: a circuit listener whose relay was removed has no addresses left. */
  readonly #onListening = (): void => {
    this.#reconcile()
  }

  // ---- the state machine --------------------------------------------------------------------------

  #reconcile (): void {
    if (!this.#running) return
    const now = this.#clock.now()
    for (const slot of this.#slots) {
      if (slot.state !== 'reserved' || slot.relay == null) continue
      const candidate = this.#candidates.get(slot.relay)
      const hasAddresses = (slot.listener?.getAddrs().length ?? 0) > 0
      if (candidate != null && hasAddresses) continue
      this.#counters.lost++
      this.#log('lost reservation on relay %s (%s)', slot.relay, candidate == null ? 'relay gone' : 'reservation dropped')
      this.#remember(slot.relay)
      // the transport dropped it while the relay is still connected: wait before asking again
      if (candidate != null) this.#backOff(candidate, now, 'ReservationDropped')
      slot.relay = undefined
      slot.state = 'free'
    }
    const held = new Set(this.#slots.map(s => s.relay).filter((r): r is string => r != null))
    const elsewhere = this.#reservedElsewhere()
    const choices = [...this.#candidates.entries()]
      .filter(([id, c]) => !held.has(id) && !elsewhere.has(id) && c.retryAt <= now)
      .sort(([, a], [, b]) => Number(b.preferred) - Number(a.preferred))
    for (const slot of this.#slots) {
      if (slot.state !== 'free') continue
      const next = choices.shift()
      if (next == null) break
      void this.#reserve(slot, next[0], next[1])
    }
    this.#scheduleRetry(held)
  }

  async #reserve (slot: Slot, relay: string, candidate: Candidate): Promise<void> {
    slot.state = 'reserving'
    slot.relay = relay
    this.#counters.attempts++
    const address = multiaddr(`/p2p/${relay}/p2p-circuit`)
    this.#log('reserving a slot on relay %s', relay)
    let failure: RelayReservationFailedError | undefined
    try {
      if (slot.listener == null) {
        const before = new Set(this.#components.transportManager.getListeners())
        const listening = this.#components.transportManager.listen([address])
        // listen() creates the listener synchronously before awaiting it: keep it for reuse even
        // when this first reservation fails
        slot.listener = this.#components.transportManager.getListeners().find(l => !before.has(l))
        await listening
      } else {
        await slot.listener.listen(address)
      }
      if (slot.listener == null || slot.listener.getAddrs().length === 0) {
        // e.g. a reservation on this relay already held outside our slots (a `/p2p-circuit` listen address)
        failure = new RelayReservationFailedError(relay, 'the circuit listener has no relayed address')
      }
    } catch (err) {
      failure = new RelayReservationFailedError(relay, err instanceof Error ? `${err.name}: ${err.message}` : String(err), { cause: err })
    }
    if (!this.#running || slot.relay !== relay) return
    const now = this.#clock.now()
    if (failure != null) {
      this.#counters.failures++
      this.#log('%s', failure.message)
      slot.relay = undefined
      slot.state = 'free'
      const current = this.#candidates.get(relay)
      if (current != null) this.#backOff(current, now, errorName(failure.cause) ?? failure.name)
    } else {
      slot.state = 'reserved'
      slot.reservedAt = now
      candidate.failures = 0
      candidate.retryAt = 0
      delete candidate.lastError
      if (this.#formerRelays.delete(relay)) this.#counters.renewals++
      this.#log('reserved a slot on relay %s', relay)
    }
    this.#reconcile()
  }

  /**
   * Relays that a circuit listener other than our slots' holds addresses through (a `/p2p-circuit`
   * listen address given by the caller reserves through libp2p's own discovery). A slot could not
   * get an address of its own on them, so it leaves them alone.
   */
  #reservedElsewhere (): Set<string> {
    const ours = new Set(this.#slots.map(s => s.listener))
    const relays = new Set<string>()
    for (const listener of this.#components.transportManager.getListeners()) {
      if (ours.has(listener)) continue
      for (const address of listener.getAddrs()) {
        const relay = circuitRelayOf(address)
        if (relay != null) relays.add(relay)
      }
    }
    return relays
  }

  #backOff (candidate: Candidate, now: number, errorName: string): void {
    candidate.failures++
    candidate.lastError = errorName
    candidate.retryAt = now + backoffDelayMs({ growth: 'exponential', baseMs: this.options.retryDelayMs, capMs: this.options.maxRetryDelayMs, jitterRatio: 0.1 }, candidate.failures, this.#random)
  }

  /** While a slot is free and a candidate only waits for its backoff, wake up when it ends. */
  #scheduleRetry (held: ReadonlySet<string>): void {
    const freeSlots = this.#slots.some(s => s.state === 'free')
    let earliest = Number.POSITIVE_INFINITY
    if (freeSlots) {
      for (const [id, c] of this.#candidates) if (!held.has(id) && c.retryAt > 0) earliest = Math.min(earliest, c.retryAt)
    }
    if (earliest === this.#retryAt) return
    this.#cancelRetry()
    if (!Number.isFinite(earliest)) return
    this.#retryAt = earliest
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined
      this.#retryAt = Number.POSITIVE_INFINITY
      this.#reconcile()
    }, Math.max(0, earliest - this.#clock.now()))
  }

  #cancelRetry (): void {
    this.#retryTimer?.cancel()
    this.#retryTimer = undefined
    this.#retryAt = Number.POSITIVE_INFINITY
  }

  #remember (relay: string): void {
    this.#formerRelays.delete(relay)
    this.#formerRelays.add(relay)
    if (this.#formerRelays.size > this.options.maxCandidates) {
      const oldest = this.#formerRelays.values().next().value
      if (oldest != null) this.#formerRelays.delete(oldest)
    }
  }
}

/** A connection that is neither relayed (circuit) nor limited. */
function isDirect (connection: Connection): boolean {
  return connection.limits == null && !Circuit.matches(connection.remoteAddr)
}

/** The relay's peer ID in `<relay addr>/p2p/<relay>/p2p-circuit…`, or undefined for another address. */
function circuitRelayOf (address: Multiaddr): string | undefined {
  let relay: string | undefined
  for (const component of address.getComponents()) {
    if (component.code === CODE_P2P_CIRCUIT) return relay
    if (component.code === CODE_P2P) relay = component.value
  }
  return undefined
}

function errorName (err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}
