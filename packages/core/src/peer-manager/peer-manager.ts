/**
 * The PeerManager decides which peers to dial, accept and evict. It is a synchronous state
 * machine with no I/O: the router does the dialing and reports back, and the manager answers
 * from memory. Time and randomness come from the injected clock and random source.
 *
 * Outbound connection:
 *   1. `dialNext()` / `tryDialNext()`: pick an address, mark the peer dialing.
 *   2. `dialFailed(addr)`: unmark, count the failure (retry delay grows), wake the dialer; or
 *      `dialed(addr)`: unmark, mark connected (errors if already connected, e.g. by `accepted`).
 *   3. `ready(id, protocols)`: the router's queues are set up; publishes `up`.
 *   4. `disconnected(id)`: unmark everything, start the cooldown, publish `down` if it was ready.
 *
 * Inbound connection:
 *   1. `accepted(id)`: mark connected (errors for self, banned, inactive, already connected, full).
 *   2. `ready(id, protocols)`, 3. `disconnected(id)` as above.
 *
 * Upgrade (all `maxConnected` slots taken, one of `maxConnectedUpgrade` extra slots used to
 * reach a better peer):
 *   1. `tryDialNext()` finds a higher-scored peer and reserves the lowest-scored connected peer
 *      for it (`upgrading[victim] = candidate`) so that no other upgrade claims the same one.
 *   2. `dialFailed()` releases the reservation; `dialed()` releases it and, if we are still
 *      full, queues the eviction of the lowest-ranked connected peer *at that time*.
 *      `accepted()` from a higher-scored peer does the same without a prior reservation.
 *   3. `evictNext()` returns the queued victim; 4. `disconnected(victim)`.
 *
 * Eviction:
 *   1. `errored(id)`, `ban(id)`, `inactivate(id)` or a completed upgrade queue a peer (`evict`).
 *   2. `evictNext()` / `tryEvictNext()`: a queued peer, or while over `maxConnected` the
 *      lowest-ranked connected peer; marks it evicting.
 *   3. The router closes the connection and calls `disconnected(id)`.
 *
 * Every state change wakes the waiting `dialNext()` / `evictNext()` (they re-check and wait
 * again if nothing is possible), and a waiting `dialNext()` also wakes at the earliest retry,
 * cooldown or ban deadline, on the injected clock: there is no way to lose a wake-up.
 *
 * No decision walks or sorts the whole book: `PeerIndexes` (peer-indexes.ts) keeps the ranking,
 * the dialable peers, the connected peers lowest first, the wake-up and expiry heaps and the
 * per-state counts up to date; every change to a peer ends with `reindex()` of that peer.
 */
import {
  addressGroup, isLoopbackAddress, isPrivateAddress, isRelayedAddress, parseNodeAddress, type NodeAddress
} from '../address/index.js'
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js'
import { silentLogger, type Logger } from '../logger.js'
import type { PeerState } from '../vocabulary.js'
import { MAX_ADDRESSES_PER_PEER } from '../vocabulary.js'
import type { PeerRecord } from '../store/peer-store.js'
import {
  AlreadyConnectedError, ConnectionLimitError, InactivePeerError, InvalidPeerManagerOptionsError,
  PeerBannedError, PeerManagerClosedError, SelfConnectionError, UnknownPeerError
} from './errors.js'
import { mergePeerManagerOptions, peerManagerOptionsProblems, type PeerManagerOptions } from './options.js'
import {
  BAN_FOREVER, clampScore, countDialFailure, countRefusal, createAddressEntry, createPeerEntry, decayedMisbehaviour, dialOrderOf,
  outranksSource, peerEntryFromRecord, peerEntryToRecord, persistentPeerScore, REFUSALS_FORGOTTEN_AFTER_MS, retryDelayMs, trimBanReason,
  type AddressEntry, type PeerEntry
} from './peer-entry.js'
import { compareLowestKeys, PeerIndexes } from './peer-indexes.js'
import { StoreWriter } from './store-writer.js'
import {
  BoundedPeerUpdateQueue, DEFAULT_SUBSCRIPTION_BUFFER_SIZE, type PeerUpdate, type PeerUpdateSubscription,
  type SubscribeOptions
} from './subscription.js'
import type {
  AddOptions, AddressRefusal, DialFailure, PeerManager, PeerManagerInit, PeerManagerStats, PeerSnapshot
} from './types.js'
import { WakeSignal } from './wake-signal.js'

/** Expired peers are looked for at most this often while addresses arrive. */
const EXPIRY_SWEEP_INTERVAL_MS = 60_000
/** A repeated advertisement refreshes `lastSeenAt` in memory; it is written at most this often. */
const LAST_SEEN_WRITE_INTERVAL_MS = 3_600_000
/** Share of `advertise()` answers taken from the best-ranked peers; the rest is drawn from all. */
const ADVERTISE_TOP_SHARE = 0.75

/**
 * Uniform draws advertise() makes for `need` addresses below its top picks before it lists the
 * pool instead: enough when at least about a quarter of the stored addresses are eligible.
 */
function advertiseDrawBudget (need: number): number {
  return 4 * need + 32
}

interface Connection {
  direction: 'inbound' | 'outbound'
  since: number
}

interface DialCandidate {
  entry: PeerEntry
  address: AddressEntry
  /** The connected peer reserved for this upgrade dial, if it is one. */
  victim: string | undefined
}

class PeerManagerImpl implements PeerManager {
  private readonly selfId: string
  private readonly options: PeerManagerOptions
  private readonly clock: Clock
  private readonly random: Random
  private readonly logger: Logger
  private readonly persistentIds: ReadonlySet<string>
  private readonly fixedScores: ReadonlyMap<string, number>
  private selfAddresses: NodeAddress[] = []

  /** Every known peer: add(), accepted(), ban(), misbehaved(), load; pruning deletes. */
  private readonly book = new Map<string, PeerEntry>()
  /** Ranking, dialable peers, connected peers, deadlines, per-state counts over `book`. */
  private readonly indexes: PeerIndexes
  /** Stored addresses per addressGroup(), for the subnet and relay caps. */
  private readonly groupSizes = new Map<string, number>()

  /** Peers being dialed → URL dialed: tryDialNext() → dialed() / dialFailed(). */
  private readonly dialing = new Map<string, string>()
  /** Reserved victim → upgrade candidate: tryDialNext() → dialed() / dialFailed() / disconnected(victim). */
  private readonly upgrading = new Map<string, string>()
  /** Connected peers: dialed() / accepted() → disconnected(). */
  private readonly connected = new Map<string, Connection>()
  /** How many of `connected` are outbound. */
  private outboundConnected = 0
  /** Ready peers: ready() → disconnected(). */
  private readonly readySet = new Set<string>()
  /** Queued for eviction: errored(), ban(), inactivate(), upgrade → tryEvictNext(). */
  private readonly evict = new Set<string>()
  /** Being evicted: tryEvictNext() → disconnected(). */
  private readonly evicting = new Set<string>()
  /** No redial before this time: disconnected() → expires on the clock. */
  private readonly cooldownUntil = new Map<string, number>()

  private readonly dialWake: WakeSignal
  private readonly evictWake: WakeSignal
  /**
   * Earliest retry/cooldown/ban deadline a dial search that found nothing passed on its way
   * (Infinity: none); only read right after tryDialNext() returned undefined.
   */
  private nextDialDeadline = Infinity
  private readonly subscriptions = new Set<BoundedPeerUpdateQueue>()
  private readonly writer: StoreWriter
  private lastExpirySweepAt = -Infinity
  private closed = false
  private readonly counters = {
    dialsStarted: 0,
    dialsSucceeded: 0,
    dialsFailed: 0,
    accepted: 0,
    evictionsStarted: 0,
    bansIssued: 0,
    addressesAdded: 0,
    peersPruned: 0,
    peersExpired: 0,
    updatesDropped: 0,
    recordsSkipped: 0,
    addressesSkipped: 0
  }

  private readonly refused: Record<AddressRefusal, number> = {
    banned: 0, inactive: 0, private: 0, group: 0, relay: 0, 'peer-full': 0
  }

  constructor (init: PeerManagerInit, options: PeerManagerOptions) {
    this.selfId = init.selfId
    this.options = options
    this.clock = init.clock ?? systemClock
    this.random = init.random ?? systemRandom
    this.logger = init.logger ?? silentLogger
    this.persistentIds = new Set((init.persistentPeers ?? []).map(a => a.peerId))
    this.fixedScores = new Map(Object.entries(init.peerScores ?? {}))
    this.indexes = new PeerIndexes({
      isConnected: peerId => this.connected.has(peerId),
      isDialing: peerId => this.dialing.has(peerId),
      cooldownAt: (peerId, now) => {
        const until = this.cooldownUntil.get(peerId)
        if (until === undefined) return 0
        if (until > now) return until
        this.cooldownUntil.delete(peerId)
        return 0
      }
    })
    this.dialWake = new WakeSignal(this.clock)
    this.evictWake = new WakeSignal(this.clock)
    this.writer = new StoreWriter(init.store, peerId => {
      const entry = this.book.get(peerId)
      return entry === undefined ? undefined : peerEntryToRecord(entry)
    }, this.logger)
    this.setSelfAddresses(init.selfAddresses ?? [])
  }

  /** Fills the book from the store's records (open calls `configure()` next). */
  load (records: readonly PeerRecord[], skipped: number): void {
    this.counters.recordsSkipped += skipped
    for (const record of records) {
      if (record.peerId === this.selfId) {
        this.logger.info('deleting our own peer ID from the peer store')
        this.writer.schedule(record.peerId)
        continue
      }
      if (this.book.has(record.peerId)) {
        this.counters.recordsSkipped++
        continue
      }
      try {
        const { entry, droppedAddresses } = peerEntryFromRecord(record, this.entryConfig(record.peerId),
          (failures, persistent) => this.retryDelay(failures, persistent))
        this.counters.addressesSkipped += droppedAddresses
        this.book.set(entry.peerId, entry)
        this.indexes.insert(entry, this.clock.now())
        for (const a of entry.addresses.values()) this.countGroup(a.address, +1)
      } catch (err) {
        this.counters.recordsSkipped++
        this.logger.warn('skipping a stored peer record', { peerId: record.peerId, error: err })
      }
    }
  }

  configure (persistentPeers: readonly NodeAddress[]): void {
    for (const address of persistentPeers) this.add(address, { source: 'config' })
    this.sweepExpired(true)
    this.prune()
  }

  // ---------------------------------------------------------------------------------------------
  // Addresses

  add (input: NodeAddress | string, options: AddOptions = {}): boolean {
    const address = typeof input === 'string' ? parseNodeAddress(input) : input
    if (address.peerId === this.selfId) {
      throw new SelfConnectionError(`refusing to store our own address ${address.toString()}`)
    }
    const source = options.source ?? 'gossip'
    const now = this.clock.now()
    const url = address.toString()
    let entry = this.book.get(address.peerId)

    if (entry?.inactive === true) return this.refuse('inactive', address)
    if (source === 'gossip' && entry !== undefined && this.isBannedEntry(entry, now)) return this.refuse('banned', address)

    const existing = entry?.addresses.get(url)
    if (entry !== undefined && existing !== undefined) {
      if (outranksSource(source, existing.source)) {
        existing.source = source
        this.indexes.reindex(entry, now)
        this.persist(entry)
      }
      if (now - entry.lastSeenAt >= LAST_SEEN_WRITE_INTERVAL_MS) this.persist(entry)
      entry.lastSeenAt = Math.max(entry.lastSeenAt, now)
      return false
    }

    if (source === 'gossip') {
      const refusal = this.gossipRefusal(address, entry)
      if (refusal !== undefined) return this.refuse(refusal, address)
    }
    if (entry !== undefined && entry.addresses.size >= MAX_ADDRESSES_PER_PEER && !this.dropWorstGossipAddress(entry)) {
      return this.refuse('peer-full', address)
    }

    const isNew = entry === undefined
    if (entry === undefined) {
      entry = createPeerEntry(address.peerId, now, this.entryConfig(address.peerId))
      this.book.set(entry.peerId, entry)
    }
    entry.addresses.set(url, createAddressEntry(address, source))
    entry.lastSeenAt = Math.max(entry.lastSeenAt, now)
    if (isNew) this.indexes.insert(entry, now)
    else this.indexes.reindex(entry, now)
    this.countGroup(address, +1)
    this.counters.addressesAdded++
    this.persist(entry)

    this.sweepExpired(false)
    this.prune()
    if (this.book.get(address.peerId)?.addresses.has(url) !== true) return false
    this.changed()
    return true
  }

  setSelfAddresses (addresses: readonly NodeAddress[]): void {
    this.selfAddresses = addresses.filter(a => {
      if (a.peerId === this.selfId) return true
      this.logger.warn('ignoring a self address of another peer', { address: a.toString() })
      return false
    })
  }

  private gossipRefusal (address: NodeAddress, entry: PeerEntry | undefined): AddressRefusal | undefined {
    const o = this.options
    if (!o.allowPrivateAddresses && (isLoopbackAddress(address) || isPrivateAddress(address))) return 'private'
    if (o.maxAddressesPerPeer > 0 && entry !== undefined && entry.addresses.size >= o.maxAddressesPerPeer) return 'peer-full'
    const relayed = isRelayedAddress(address)
    const cap = relayed ? o.maxAddressesPerRelay : o.maxAddressesPerGroup
    if (cap > 0 && (this.groupSizes.get(addressGroup(address)) ?? 0) >= cap) return relayed ? 'relay' : 'group'
    return undefined
  }

  private refuse (reason: AddressRefusal, address: NodeAddress): false {
    this.refused[reason]++
    this.logger.debug('refusing an address', { reason, address: address.toString() })
    return false
  }

  /** Makes room for a trusted address at the store's hard limit; false if only trusted ones are held. */
  private dropWorstGossipAddress (entry: PeerEntry): boolean {
    let worst: AddressEntry | undefined
    for (const a of entry.addresses.values()) {
      if (a.source === 'gossip' && (worst === undefined || a.dialFailures > worst.dialFailures)) worst = a
    }
    if (worst === undefined || this.dialing.get(entry.peerId) === worst.url) return false
    entry.addresses.delete(worst.url)
    this.indexes.addressRemoved(worst)
    this.countGroup(worst.address, -1)
    return true
  }

  private countGroup (address: NodeAddress, delta: 1 | -1): void {
    const group = addressGroup(address)
    const size = (this.groupSizes.get(group) ?? 0) + delta
    if (size <= 0) this.groupSizes.delete(group)
    else this.groupSizes.set(group, size)
  }

  // ---------------------------------------------------------------------------------------------
  // Dialing

  tryDialNext (): NodeAddress | undefined {
    const candidate = this.findDialCandidate(this.clock.now())
    if (candidate === undefined) return undefined
    const { entry, address, victim } = candidate
    if (victim !== undefined) this.upgrading.set(victim, entry.peerId)
    this.dialing.set(entry.peerId, address.url)
    this.indexes.reindex(entry, this.clock.now())
    this.counters.dialsStarted++
    return address.address
  }

  async dialNext (signal?: AbortSignal): Promise<NodeAddress> {
    for (;;) {
      if (this.closed) throw new PeerManagerClosedError()
      signal?.throwIfAborted()
      const address = this.tryDialNext()
      if (address !== undefined) return address
      await this.dialWake.wait(signal, this.nextDialDeadline)
    }
  }

  /** True while another dial may start: the total cap, the outbound cap and the floor. */
  private hasDialSlot (): boolean {
    const o = this.options
    const busy = this.connected.size + this.dialing.size
    if (o.maxConnected > 0 && busy >= o.maxConnected + o.maxConnectedUpgrade) return false
    if (o.maxOutgoingConnections > 0 && this.outboundCount() >= o.maxOutgoingConnections) {
      return o.minConnected > 0 && busy < o.minConnected
    }
    return true
  }

  /**
   * The best dialable address, without changing any state: the first peer of the dialable
   * index and its first address whose retry delay is over. When there is none, records in
   * `nextDialDeadline` the earliest moment a peer ranked above the stopping point becomes
   * dialable, for `dialNext()`'s timer (what a walk down the ranking would have passed).
   */
  private findDialCandidate (now: number): DialCandidate | undefined {
    this.nextDialDeadline = Infinity
    if (this.closed || !this.hasDialSlot()) return undefined
    this.indexes.refresh(now)
    const entry = this.indexes.firstDialable()
    if (entry === undefined) {
      this.nextDialDeadline = this.indexes.earliestWaitBefore(undefined)
      return undefined
    }
    let address: AddressEntry | undefined
    // Retry deadlines of the candidate's addresses tried before the one that is due.
    let passedRetryAt = Infinity
    for (const a of dialOrderOf(entry)) {
      if (a.retryAt <= now) {
        address = a
        break
      }
      if (a.retryAt < passedRetryAt) passedRetryAt = a.retryAt
    }
    if (address === undefined) throw new Error('dialable index out of date')
    const o = this.options
    const upgradeOnly = o.maxConnected > 0 && this.connected.size + this.dialing.size >= o.maxConnected
    if (!upgradeOnly) return { entry, address, victim: undefined }
    // Full: only a peer that outscores a connected one may use an upgrade slot. Peers further
    // down the ranking score no higher, so if this one finds no victim, nobody will.
    const victim = this.findUpgradeVictim(entry.peerId, entry.rankScore)
    if (victim === undefined) {
      this.nextDialDeadline = Math.min(this.indexes.earliestWaitBefore(entry), passedRetryAt)
      return undefined
    }
    return { entry, address, victim }
  }

  dialFailed (address: NodeAddress, failure: DialFailure = {}): void {
    const peerId = address.peerId
    this.dialing.delete(peerId)
    this.releaseReservationOf(peerId)
    this.counters.dialsFailed++
    const entry = this.book.get(peerId)
    const a = entry?.addresses.get(address.toString())
    if (entry !== undefined && a !== undefined) {
      const now = this.clock.now()
      countDialFailure(a)
      a.lastDialFailureAt = now
      if (failure.refused === true) {
        // dialed() just cleared dialFailures: the refusal streak is what grows
        countRefusal(entry)
        a.retryAt = now + retryDelayMs(this.options, this.random, entry.refusals, entry.persistent, true)
      } else {
        a.retryAt = now + retryDelayMs(this.options, this.random, a.dialFailures, entry.persistent)
      }
      this.persist(entry)
      this.logger.debug('dial failed', { address: a.url, failures: a.dialFailures, retryAt: a.retryAt })
    }
    if (entry !== undefined) this.indexes.reindex(entry, this.clock.now())
    this.changed()
  }

  dialed (address: NodeAddress): void {
    const peerId = address.peerId
    this.dialing.delete(peerId)
    const victim = this.releaseReservationOf(peerId)
    const entry = this.book.get(peerId)
    const now = this.clock.now()
    try {
      if (peerId === this.selfId) throw new SelfConnectionError()
      if (this.connected.has(peerId)) throw new AlreadyConnectedError(peerId)
      if (entry === undefined) throw new UnknownPeerError(peerId)
      if (this.isBannedEntry(entry, now)) throw new PeerBannedError(peerId, entry.bannedUntil)
      if (entry.inactive) throw new InactivePeerError(peerId)
      const o = this.options
      const full = o.maxConnected > 0 && this.connected.size >= o.maxConnected
      if (full && (victim === undefined || this.connected.size >= o.maxConnected + o.maxConnectedUpgrade)) {
        throw new ConnectionLimitError(peerId)
      }

      let a = entry.addresses.get(address.toString())
      if (a === undefined && (entry.addresses.size < MAX_ADDRESSES_PER_PEER || this.dropWorstGossipAddress(entry))) {
        a = createAddressEntry(address, 'verified')
        entry.addresses.set(a.url, a)
        this.countGroup(address, +1)
      }
      if (a !== undefined) {
        a.source = 'verified'
        a.dialFailures = 0
        a.retryAt = 0
        a.lastConnectedAt = now
      }
      entry.lastSeenAt = now
      if (full && victim !== undefined) this.queueUpgradeEviction(victim)
      this.connected.set(peerId, { direction: 'outbound', since: now })
      this.outboundConnected++
      this.cooldownUntil.delete(peerId)
      this.counters.dialsSucceeded++
      this.persist(entry)
    } finally {
      if (entry !== undefined) this.indexes.reindex(entry, now)
      this.changed()
    }
  }

  /** Queues the reserved victim, or an even lower-ranked peer that connected since. */
  private queueUpgradeEviction (reserved: string): void {
    const lowest = this.lowestEvictable()
    const reservedEntry = this.book.get(reserved)
    const reservedStillThere = reservedEntry !== undefined && this.isEvictable(reserved)
    if (reservedStillThere && (lowest === undefined || compareLowestKeys(reservedEntry, lowest) <= 0)) {
      this.evict.add(reserved)
    } else if (lowest !== undefined) {
      this.evict.add(lowest.peerId)
    }
  }

  /** Removes the upgrade reservation held by `candidate`; returns the victim it had reserved. */
  private releaseReservationOf (candidate: string): string | undefined {
    let victim: string | undefined
    for (const [from, to] of this.upgrading) {
      if (to === candidate) {
        this.upgrading.delete(from)
        victim = from
      }
    }
    return victim
  }

  private retryDelay (failures: number, persistent: boolean): number {
    return retryDelayMs(this.options, this.random, failures, persistent)
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound

  accepted (peerId: string): void {
    const problem = this.acceptProblem(peerId)
    if (problem !== undefined) throw problem
    const now = this.clock.now()
    let entry = this.book.get(peerId)
    if (entry === undefined) {
      entry = createPeerEntry(peerId, now, this.entryConfig(peerId))
      this.book.set(peerId, entry)
      this.indexes.insert(entry, now)
    }
    const o = this.options
    if (o.maxConnected > 0 && this.connected.size >= o.maxConnected) {
      const victim = this.findUpgradeVictim(peerId, entry.rankScore)
      if (victim !== undefined) {
        this.upgrading.delete(victim)
        this.evict.add(victim)
      }
    }
    entry.lastSeenAt = now
    this.connected.set(peerId, { direction: 'inbound', since: now })
    this.cooldownUntil.delete(peerId)
    this.indexes.reindex(entry, now)
    this.counters.accepted++
    this.persist(entry)
    this.prune()
    this.changed()
  }

  canAccept (peerId: string): boolean {
    const problem = this.acceptProblem(peerId)
    // A connected peer may open more connections (relayed, then direct): the router keeps one.
    return problem === undefined || problem instanceof AlreadyConnectedError
  }

  private acceptProblem (peerId: string): Error | undefined {
    if (peerId === this.selfId) return new SelfConnectionError()
    const entry = this.book.get(peerId)
    if (entry !== undefined && this.isBannedEntry(entry, this.clock.now())) return new PeerBannedError(peerId, entry.bannedUntil)
    if (entry?.inactive === true) return new InactivePeerError(peerId)
    if (this.connected.has(peerId)) return new AlreadyConnectedError(peerId)
    const o = this.options
    if (o.maxConnected === 0 || this.connected.size < o.maxConnected) return undefined
    if (this.connected.size >= o.maxConnected + o.maxConnectedUpgrade) return new ConnectionLimitError(peerId)
    const score = entry !== undefined ? entry.rankScore : this.scoreOfNewPeer(peerId)
    return this.findUpgradeVictim(peerId, score) === undefined ? new ConnectionLimitError(peerId) : undefined
  }

  ready (peerId: string, protocols: string[]): void {
    if (!this.connected.has(peerId)) return
    this.readySet.add(peerId)
    this.publish({ peerId, status: 'up', protocols: [...protocols] })
  }

  // ---------------------------------------------------------------------------------------------
  // Eviction and disconnection

  tryEvictNext (): string | undefined {
    if (this.closed) return undefined
    for (const peerId of this.evict) {
      this.evict.delete(peerId)
      if (this.connected.has(peerId) && !this.evicting.has(peerId)) return this.startEviction(peerId)
    }
    const o = this.options
    if (o.maxConnected === 0 || this.connected.size - this.evicting.size <= o.maxConnected) return undefined
    const lowest = this.lowestConnected(peerId => !this.evicting.has(peerId))
    return lowest === undefined ? undefined : this.startEviction(lowest.peerId)
  }

  async evictNext (signal?: AbortSignal): Promise<string> {
    for (;;) {
      if (this.closed) throw new PeerManagerClosedError()
      signal?.throwIfAborted()
      const peerId = this.tryEvictNext()
      if (peerId !== undefined) return peerId
      await this.evictWake.wait(signal)
    }
  }

  private startEviction (peerId: string): string {
    this.evicting.add(peerId)
    this.counters.evictionsStarted++
    return peerId
  }

  disconnected (peerId: string): void {
    const connection = this.connected.get(peerId)
    const wasConnected = this.connected.delete(peerId)
    if (connection?.direction === 'outbound') this.outboundConnected--
    const wasReady = this.readySet.delete(peerId)
    this.upgrading.delete(peerId)
    this.evict.delete(peerId)
    this.evicting.delete(peerId)
    if (wasConnected) {
      const now = this.clock.now()
      if (this.options.disconnectCooldownMs > 0) this.cooldownUntil.set(peerId, now + this.options.disconnectCooldownMs)
      const entry = this.book.get(peerId)
      if (entry !== undefined) {
        entry.lastSeenAt = now
        if (connection !== undefined && now - connection.since >= REFUSALS_FORGOTTEN_AFTER_MS) entry.refusals = 0
        this.indexes.reindex(entry, now)
        this.persist(entry)
      }
    }
    if (wasReady) this.publish({ peerId, status: 'down' })
    this.changed()
  }

  errored (peerId: string, reason: unknown): void {
    this.logger.debug('peer errored', { peerId, reason })
    if (this.connected.has(peerId)) this.evict.add(peerId)
    this.changed()
  }

  inactivate (peerId: string, reason: string): void {
    const entry = this.book.get(peerId)
    if (entry === undefined || peerId === this.selfId) return
    this.logger.info('peer marked inactive', { peerId, reason })
    entry.inactive = true
    this.indexes.reindex(entry, this.clock.now())
    if (this.connected.has(peerId)) this.evict.add(peerId)
    this.persist(entry)
    this.changed()
  }

  // ---------------------------------------------------------------------------------------------
  // Scores, misbehaviour, bans

  reportGood (peerId: string): void {
    this.adjustScore(peerId, +1)
  }

  reportBad (peerId: string): void {
    this.adjustScore(peerId, -1)
  }

  private adjustScore (peerId: string, delta: 1 | -1): void {
    const entry = this.book.get(peerId)
    if (entry === undefined) return
    const score = clampScore(entry.score + delta)
    if (score === entry.score) return
    entry.score = score
    this.indexes.reindex(entry, this.clock.now())
    this.persist(entry)
    this.changed()
  }

  misbehaved (peerId: string, points: number, reason: string): void {
    if (peerId === this.selfId || !Number.isFinite(points) || points <= 0) return
    const now = this.clock.now()
    const entry = this.entryFor(peerId, now)
    const o = this.options
    entry.misbehaviour = decayedMisbehaviour(entry.misbehaviour, entry.misbehaviourAt, now, o.misbehaviourDecayPerHour) + points
    entry.misbehaviourAt = now
    this.logger.debug('peer misbehaved', { peerId, points, total: entry.misbehaviour, reason })
    this.persist(entry)
    if (o.misbehaviourBanThreshold > 0 && entry.misbehaviour >= o.misbehaviourBanThreshold && !this.isBannedEntry(entry, now)) {
      this.ban(peerId, reason)
    } else {
      this.prune()
    }
  }

  ban (peerId: string, reason: string, ttlMs: number = this.options.banTtlMs): void {
    if (peerId === this.selfId) return
    const now = this.clock.now()
    const entry = this.entryFor(peerId, now)
    const until = Number.isFinite(ttlMs) && ttlMs > 0 ? Math.min(now + ttlMs, BAN_FOREVER) : BAN_FOREVER
    entry.bannedUntil = Math.max(entry.bannedUntil, until)
    entry.banReason = trimBanReason(reason)
    this.indexes.reindex(entry, now)
    this.counters.bansIssued++
    this.logger.info('peer banned', { peerId, reason: entry.banReason, until: entry.bannedUntil })
    if (this.connected.has(peerId)) this.evict.add(peerId)
    this.persist(entry)
    this.publish({ peerId, status: 'banned' })
    this.prune()
    this.changed()
  }

  isBanned (peerId: string): boolean {
    const entry = this.book.get(peerId)
    return entry !== undefined && this.isBannedEntry(entry, this.clock.now())
  }

  private isBannedEntry (entry: PeerEntry, now: number): boolean {
    return entry.bannedUntil > now
  }

  /** The peer's entry, registering a peer without addresses if it is unknown (bans must stick). */
  private entryFor (peerId: string, now: number): PeerEntry {
    let entry = this.book.get(peerId)
    if (entry === undefined) {
      entry = createPeerEntry(peerId, now, this.entryConfig(peerId))
      this.book.set(peerId, entry)
      this.indexes.insert(entry, now)
    }
    return entry
  }

  // ---------------------------------------------------------------------------------------------
  // Ranking, upgrades, pruning

  private entryConfig (peerId: string): { persistent: boolean, fixedScore: number | undefined, random: Random } {
    return { persistent: this.persistentIds.has(peerId), fixedScore: this.fixedScores.get(peerId), random: this.random }
  }

  private scoreOfNewPeer (peerId: string): number {
    return this.fixedScores.get(peerId) ?? (this.persistentIds.has(peerId) ? persistentPeerScore : 0)
  }

  /** Connected, and neither queued for eviction, being evicted, nor reserved by an upgrade. */
  private isEvictable (peerId: string): boolean {
    return this.connected.has(peerId) && !this.evict.has(peerId) && !this.evicting.has(peerId) && !this.upgrading.has(peerId)
  }

  private lowestConnected (eligible: (peerId: string) => boolean): PeerEntry | undefined {
    return this.indexes.lowestConnected(entry => eligible(entry.peerId))
  }

  private lowestEvictable (): PeerEntry | undefined {
    return this.lowestConnected(peerId => this.isEvictable(peerId))
  }

  /**
   * The connected peer `candidate` (scoring `score`) may replace: the one it already reserved,
   * else the lowest-scored evictable peer if it scores strictly lower. An equal score never upgrades.
   */
  private findUpgradeVictim (candidate: string, score: number): string | undefined {
    for (const [victim, to] of this.upgrading) if (to === candidate) return victim
    const lowest = this.lowestEvictable()
    return lowest !== undefined && lowest.rankScore < score ? lowest.peerId : undefined
  }

  /**
   * While over `maxPeers`, deletes the lowest-ranked peer that is neither dialing, connected nor
   * persistent: taken from the ranking's bottom end (skipping only such peers).
   */
  private prune (): void {
    const max = this.options.maxPeers
    while (max > 0 && this.book.size > max) {
      const lowest = this.indexes.lowestRanked(entry =>
        !entry.persistent && !this.dialing.has(entry.peerId) && !this.connected.has(entry.peerId))
      if (lowest === undefined) return
      this.deletePeer(lowest)
      this.counters.peersPruned++
    }
  }

  /**
   * Deletes peers we never connected to and have not heard of for `expireAfterMs`, unless they
   * are persistent, configured, connected or being dialed. Rate-limited unless `force`.
   */
  private sweepExpired (force: boolean): void {
    const ttl = this.options.expireAfterMs
    const now = this.clock.now()
    if (ttl === 0 || (!force && now - this.lastExpirySweepAt < EXPIRY_SWEEP_INTERVAL_MS)) return
    this.lastExpirySweepAt = now
    for (const entry of this.indexes.takeExpired(now, ttl)) {
      this.deletePeer(entry)
      this.counters.peersExpired++
    }
  }

  private deletePeer (entry: PeerEntry): void {
    this.book.delete(entry.peerId)
    for (const a of entry.addresses.values()) this.countGroup(a.address, -1)
    this.cooldownUntil.delete(entry.peerId)
    this.indexes.remove(entry)
    this.writer.schedule(entry.peerId)
  }

  // ---------------------------------------------------------------------------------------------
  // Peer exchange

  /**
   * Our own addresses first, then `limit` minus those of other peers' eligible addresses (not the
   * requester's, not inactive, not banned, fresh: connected or seen within advertiseMaxAgeMs):
   * 75% of the slots a uniform random pick among the first 2×wanted eligible addresses in
   * ranking order (the top pool), the rest a uniform random pick among all the other eligible
   * addresses (the top pool's unpicked part and everything below it), without duplicates.
   *
   * O(limit) expected, without listing the book: the top pool is a walk from the best end
   * that stops after 2×wanted eligible addresses (it passes the ineligible peers ranked above
   * them one by one: banned and stale peers in the way; inactive peers rank last, so they are
   * passed only once every active peer is); the top picks are a partial Fisher–Yates (one draw
   * per pick); the others are uniform draws of a stored address (a random slot of the indexes'
   * flat list of stored addresses, O(1) each), rejecting ineligible peers and addresses already
   * picked. After {@link advertiseDrawBudget} draws without enough picks (fewer than about a
   * quarter of the stored addresses eligible) it lists the remaining eligible addresses and picks
   * among them, which is O(n) as before. The answer has the same distribution as listing and
   * shuffling every eligible address did; only the random draws it consumes, and which stored
   * address a draw names (a slot, not a position in ranking order), differ.
   */
  advertise (forPeerId: string, limit: number): NodeAddress[] {
    const max = Number.isFinite(limit) ? Math.floor(limit) : 0
    if (max <= 0) return []
    const result = this.selfAddresses.slice(0, max)
    const wanted = max - result.length
    if (wanted === 0) return result

    const now = this.clock.now()
    const maxAge = this.options.advertiseMaxAgeMs
    // The requester by identity (a peer id string compare per visited peer showed in profiles).
    const requester = this.book.get(forPeerId)
    const eligible = (entry: PeerEntry): boolean =>
      entry !== requester && !entry.inactive && !this.isBannedEntry(entry, now) &&
      (maxAge === 0 || now - entry.lastSeenAt <= maxAge || this.connected.has(entry.peerId))

    // The top pool: the first 2×wanted eligible addresses in ranking order.
    const topSize = 2 * wanted
    const top: AddressEntry[] = []
    this.indexes.forEachRanked(entry => {
      if (!eligible(entry)) return true
      for (const a of dialOrderOf(entry)) {
        if (top.length === topSize) break
        top.push(a)
      }
      return top.length < topSize
    })
    const fromTop = Math.min(top.length, Math.ceil(wanted * ADVERTISE_TOP_SHARE))
    this.pickInPlace(top, 0, fromTop)
    let need = Math.min(top.length, wanted) - fromTop
    if (top.length < topSize) {
      // Every eligible address is in the top pool: the others come from its unpicked part.
      this.pickInPlace(top, fromTop, need)
      return [...result, ...top.slice(0, fromTop + need).map(a => a.address)]
    }

    const picked = top.slice(0, fromTop)
    // Picked addresses by slot: a draw that names one is told without reading the address.
    const taken = new Set<number>()
    for (const a of picked) taken.add(a.slot)
    const total = this.indexes.addressCount()
    // Drawn in rounds of as many draws as picks are still needed: one at a time would make each
    // of them too (a draw picks at most one), so the same random numbers name the same slots.
    // A round reads all its peers before judging any, so their memory fetches overlap.
    const slots: number[] = []
    const fit: boolean[] = []
    for (let draws = advertiseDrawBudget(need); need > 0 && draws > 0;) {
      const round = Math.min(need, draws)
      draws -= round
      for (let i = 0; i < round; i++) {
        const slot = Math.floor(this.random() * total)
        const holder = this.indexes.peerInSlot(slot)
        slots[i] = slot
        fit[i] = holder !== undefined && eligible(holder)
      }
      for (let i = 0; i < round; i++) {
        const slot = slots[i] as number
        if (!fit[i] || taken.has(slot)) continue
        taken.add(slot)
        picked.push(this.indexes.addressInSlot(slot) as AddressEntry)
        need--
      }
    }
    if (need > 0) {
      // Too many draws missed: list what is left of the pool and pick among it.
      const pool: AddressEntry[] = []
      this.indexes.forEachRanked(entry => {
        if (eligible(entry)) for (const a of dialOrderOf(entry)) if (!taken.has(a.slot)) pool.push(a)
        return true
      })
      need = Math.min(need, pool.length)
      this.pickInPlace(pool, 0, need)
      for (let i = 0; i < need; i++) picked.push(pool[i] as AddressEntry)
    }
    return [...result, ...picked.map(a => a.address)]
  }

  /**
   * Partial Fisher–Yates: makes `items[from … from + picks)` a uniform random ordered pick of
   * `items[from …]`, one draw per pick.
   */
  private pickInPlace<T> (items: T[], from: number, picks: number): void {
    for (let i = from; i < from + picks; i++) {
      const j = i + Math.floor(this.random() * (items.length - i))
      const item = items[i] as T
      items[i] = items[j] as T
      items[j] = item
    }
  }

  wantsMorePeers (): boolean {
    const o = this.options
    if (o.minConnected > 0 && this.connected.size - this.evicting.size < o.minConnected) return true
    if (!this.hasDialSlot()) return false
    return this.findDialCandidate(this.clock.now()) === undefined
  }

  // ---------------------------------------------------------------------------------------------
  // Updates, snapshots, lifecycle

  subscribe (options: SubscribeOptions = {}): PeerUpdateSubscription {
    const queue = new BoundedPeerUpdateQueue(options.bufferSize ?? DEFAULT_SUBSCRIPTION_BUFFER_SIZE, q => {
      this.subscriptions.delete(q)
    })
    if (this.closed) queue.close()
    else this.subscriptions.add(queue)
    return queue
  }

  private publish (update: PeerUpdate): void {
    for (const queue of this.subscriptions) {
      if (!queue.push(update)) this.counters.updatesDropped++
    }
  }

  peer (peerId: string): PeerSnapshot | undefined {
    const entry = this.book.get(peerId)
    return entry === undefined ? undefined : this.snapshot(entry, this.clock.now())
  }

  peers (): PeerSnapshot[] {
    const now = this.clock.now()
    return this.indexes.ranking().map(entry => this.snapshot(entry, now))
  }

  private snapshot (entry: PeerEntry, now: number): PeerSnapshot {
    const connection = this.connected.get(entry.peerId)
    const addresses = [...dialOrderOf(entry)]
    const row: PeerSnapshot = {
      peerId: entry.peerId,
      state: 'known',
      ready: this.readySet.has(entry.peerId),
      score: entry.rankScore,
      persistent: entry.persistent,
      addresses: addresses.map(a => a.url),
      misbehaviour: decayedMisbehaviour(entry.misbehaviour, entry.misbehaviourAt, now, this.options.misbehaviourDecayPerHour),
      lastSeenAt: entry.lastSeenAt
    }
    if (entry.banReason !== undefined && this.isBannedEntry(entry, now)) row.banReason = entry.banReason
    if (connection !== undefined) {
      row.state = 'connected'
      row.direction = connection.direction
      row.connectedSince = connection.since
    } else if (this.dialing.has(entry.peerId)) {
      row.state = 'dialing'
    } else if (this.isBannedEntry(entry, now)) {
      row.state = 'banned'
      row.until = entry.bannedUntil
    } else if (entry.inactive) {
      row.state = 'inactive'
    } else {
      const cooldown = this.cooldownUntil.get(entry.peerId) ?? 0
      const retryAt = addresses.length === 0 ? 0 : Math.min(...addresses.map(a => a.retryAt))
      const until = Math.max(cooldown, retryAt)
      if (until > now) {
        row.state = 'backoff'
        if (Number.isFinite(until)) row.until = until
      }
    }
    return row
  }

  stats (): PeerManagerStats {
    this.indexes.refresh(this.clock.now())
    const byState: Record<PeerState, number> = { ...this.indexes.byState }
    const outbound = this.outboundConnected
    return {
      peers: this.book.size,
      byState,
      connected: this.connected.size,
      inbound: this.connected.size - outbound,
      outbound,
      dialing: this.dialing.size,
      ready: this.readySet.size,
      evicting: this.evicting.size,
      upgrading: this.upgrading.size,
      ...this.counters,
      addressesRefused: { ...this.refused },
      storeWrites: this.writer.writes,
      storeErrors: this.writer.errors,
      storeWritesPending: this.writer.pending
    }
  }

  async flush (): Promise<void> {
    await this.writer.flush()
  }

  async close (): Promise<void> {
    if (!this.closed) {
      this.closed = true
      this.dialWake.close(new PeerManagerClosedError())
      this.evictWake.close(new PeerManagerClosedError())
      for (const queue of [...this.subscriptions]) queue.close()
    }
    await this.writer.flush()
  }

  private outboundCount (): number {
    return this.dialing.size + this.outboundConnected
  }

  /** Writes the entry through (the change itself has been re-indexed by the caller). */
  private persist (entry: PeerEntry): void {
    this.writer.schedule(entry.peerId)
  }

  /** Any state change: let waiting dialNext()/evictNext() callers look again. */
  private changed (): void {
    this.dialWake.wake()
    this.evictWake.wake()
  }
}

/**
 * Opens a PeerManager: validates the options (defaults + `init.options`), loads the store
 * (records it cannot use are skipped and counted; our own ID is deleted), adds the persistent
 * peers, expires and prunes.
 *
 * @throws {InvalidPeerManagerOptionsError} listing every conflicting option
 * @throws whatever the store's `load()` throws (the manager cannot start without its peers)
 *
 * @example
 * ```ts
 * const pm = await openPeerManager({ selfId, store: createMemoryPeerStore(), options: browserPeerManagerOptions })
 * pm.add('memory://12D3KooW…@a', { source: 'config' })
 * const address = await pm.dialNext(signal)
 * ```
 */
export async function openPeerManager (init: PeerManagerInit): Promise<PeerManager> {
  const options = mergePeerManagerOptions(init.options)
  const persistentPeers = init.persistentPeers ?? []
  const problems = peerManagerOptionsProblems(options, new Set(persistentPeers.map(a => a.peerId)).size)
  if (typeof init.selfId !== 'string' || init.selfId.length === 0) problems.push('selfId must be our PeerId string')
  if (persistentPeers.some(a => a.peerId === init.selfId)) problems.push('a persistent peer is ourselves')
  for (const [peerId, score] of Object.entries(init.peerScores ?? {})) {
    if (!Number.isFinite(score)) problems.push(`peerScores[${peerId}] must be a finite number`)
  }
  if (problems.length > 0) throw new InvalidPeerManagerOptionsError(problems)

  const { records, skipped } = await init.store.load()
  const manager = new PeerManagerImpl(init, options)
  manager.load(records, skipped)
  manager.configure(persistentPeers)
  return manager
}
