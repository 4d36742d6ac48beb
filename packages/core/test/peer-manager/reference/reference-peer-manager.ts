/**
 * The reference model for the differential test (differential.test.ts) and the benchmark's
 * "before" column: the PeerManager as it was before the indexes (issue 10), whole and unchanged
 * in behaviour. Every decision walks or re-sorts the whole address book on demand (`rank()`
 * rebuilds the ranking after nearly every change). It is kept plain on purpose: the indexed
 * PeerManager in src/ must make exactly the decisions this one makes.
 */
import {
  addressGroup, isLoopbackAddress, isPrivateAddress, isRelayedAddress, parseNodeAddress, type NodeAddress
} from '../../../src/address/index.js'
import { systemClock, systemRandom, type Clock, type Random } from '../../../src/clock.js'
import { silentLogger, type Logger } from '../../../src/logger.js'
import type { PeerState } from '../../../src/node/types.js'
import { MAX_ADDRESSES_PER_PEER } from '../../../src/store/peer-record-codec.js'
import type { AddressSource, PeerRecord } from '../../../src/store/peer-store.js'
import {
  AlreadyConnectedError, ConnectionLimitError, InactivePeerError, InvalidPeerManagerOptionsError,
  PeerBannedError, PeerManagerClosedError, SelfConnectionError, UnknownPeerError
} from '../../../src/peer-manager/errors.js'
import { mergePeerManagerOptions, peerManagerOptionsProblems, type PeerManagerOptions } from '../../../src/peer-manager/options.js'
import {
  BAN_FOREVER, clampScore, countDialFailure, createAddressEntry,
  createPeerEntry, decayedMisbehaviour, outranksSource, peerEntryFromRecord, peerEntryToRecord,
  persistentPeerScore, retryDelayMs, trimBanReason, type AddressEntry, type PeerEntry
} from '../../../src/peer-manager/peer-entry.js'
import { StoreWriter } from '../../../src/peer-manager/store-writer.js'
import {
  BoundedPeerUpdateQueue, DEFAULT_SUBSCRIPTION_BUFFER_SIZE, type PeerUpdate, type PeerUpdateSubscription,
  type SubscribeOptions
} from '../../../src/peer-manager/subscription.js'
import type {
  AddOptions, AddressRefusal, PeerManager, PeerManagerInit, PeerManagerStats, PeerSnapshot
} from '../../../src/peer-manager/types.js'
import { WakeSignal } from '../../../src/peer-manager/wake-signal.js'

// The ranking helpers as they were in peer-entry.ts.
const SOURCE_TRUST: Record<AddressSource, number> = { gossip: 0, config: 1, verified: 2 }

function totalDialFailures (entry: PeerEntry): number {
  let total = 0
  for (const a of entry.addresses.values()) total += a.dialFailures
  return total
}

function peerScore (entry: PeerEntry): number {
  if (entry.fixedScore !== undefined) return entry.fixedScore
  if (entry.persistent) return persistentPeerScore
  return entry.score - totalDialFailures(entry)
}

function compareRank (a: PeerEntry, b: PeerEntry): number {
  if (a.inactive !== b.inactive) return a.inactive ? 1 : -1
  return (peerScore(b) - peerScore(a)) ||
    (totalDialFailures(a) - totalDialFailures(b)) ||
    (a.tieBreak - b.tieBreak)
}

function rankPeers (entries: Iterable<PeerEntry>): PeerEntry[] {
  const keyed = [...entries].map(entry => ({ entry, score: peerScore(entry), failures: totalDialFailures(entry) }))
  keyed.sort((a, b) => {
    if (a.entry.inactive !== b.entry.inactive) return a.entry.inactive ? 1 : -1
    return (b.score - a.score) || (a.failures - b.failures) || (a.entry.tieBreak - b.entry.tieBreak)
  })
  return keyed.map(k => k.entry)
}

function addressesInDialOrder (entry: PeerEntry): AddressEntry[] {
  return [...entry.addresses.values()].sort((x, y) =>
    (SOURCE_TRUST[y.source] - SOURCE_TRUST[x.source]) || (x.dialFailures - y.dialFailures))
}

/** Expired peers are looked for at most this often while addresses arrive. */
const EXPIRY_SWEEP_INTERVAL_MS = 60_000
/** A repeated advertisement refreshes `lastSeenAt` in memory; it is written at most this often. */
const LAST_SEEN_WRITE_INTERVAL_MS = 3_600_000
/** Share of `advertise()` answers taken from the best-ranked peers; the rest is drawn from all. */
const ADVERTISE_TOP_SHARE = 0.75

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

class ReferencePeerManager implements PeerManager {
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
  /** Cached ranking of `book`, best first; cleared by every change that can reorder it. */
  private ranked: PeerEntry[] | undefined
  /**
   * Every stored address with its peer, in the order advertise()'s uniform draws number them:
   * appended when stored, and a deleted one's place taken by the last (the indexed manager's
   * flat list, kept here the plain way, by searching).
   */
  private readonly slots: Array<{ entry: PeerEntry, address: AddressEntry }> = []
  /** Stored addresses per addressGroup(), for the subnet and relay caps. */
  private readonly groupSizes = new Map<string, number>()

  /** Peers being dialed → URL dialed: tryDialNext() → dialed() / dialFailed(). */
  private readonly dialing = new Map<string, string>()
  /** Reserved victim → upgrade candidate: tryDialNext() → dialed() / dialFailed() / disconnected(victim). */
  private readonly upgrading = new Map<string, string>()
  /** Connected peers: dialed() / accepted() → disconnected(). */
  private readonly connected = new Map<string, Connection>()
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
  /** Earliest retry/cooldown/ban deadline seen by the last dial search (Infinity: none). */
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
        for (const a of entry.addresses.values()) {
          this.countGroup(a.address, +1)
          this.slots.push({ entry, address: a })
        }
      } catch (err) {
        this.counters.recordsSkipped++
        this.logger.warn('skipping a stored peer record', { peerId: record.peerId, error: err })
      }
    }
    this.ranked = undefined
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

    if (entry === undefined) {
      entry = createPeerEntry(address.peerId, now, this.entryConfig(address.peerId))
      this.book.set(entry.peerId, entry)
    }
    const added = createAddressEntry(address, source)
    entry.addresses.set(url, added)
    this.slots.push({ entry, address: added })
    entry.lastSeenAt = Math.max(entry.lastSeenAt, now)
    this.ranked = undefined
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
    this.unslot(worst)
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
   * The best dialable address, without changing any state. Also records in `nextDialDeadline`
   * the earliest moment a skipped peer becomes dialable, for `dialNext()`'s timer.
   */
  private findDialCandidate (now: number): DialCandidate | undefined {
    this.nextDialDeadline = Infinity
    if (this.closed || !this.hasDialSlot()) return undefined
    const o = this.options
    const upgradeOnly = o.maxConnected > 0 && this.connected.size + this.dialing.size >= o.maxConnected
    for (const entry of this.rank()) {
      if (entry.inactive || this.dialing.has(entry.peerId) || this.connected.has(entry.peerId)) continue
      if (this.isBannedEntry(entry, now)) {
        this.noteDialDeadline(entry.bannedUntil)
        continue
      }
      const cooldown = this.cooldownUntil.get(entry.peerId)
      if (cooldown !== undefined) {
        if (cooldown > now) {
          this.noteDialDeadline(cooldown)
          continue
        }
        this.cooldownUntil.delete(entry.peerId)
      }
      for (const address of addressesInDialOrder(entry)) {
        if (address.retryAt > now) {
          this.noteDialDeadline(address.retryAt)
          continue
        }
        if (!upgradeOnly) return { entry, address, victim: undefined }
        // Full: only a peer that outscores a connected one may use an upgrade slot. Peers further
        // down the ranking score no higher, so if this one finds no victim, nobody will.
        const victim = this.findUpgradeVictim(entry.peerId, peerScore(entry))
        return victim === undefined ? undefined : { entry, address, victim }
      }
    }
    return undefined
  }

  private noteDialDeadline (at: number): void {
    if (Number.isFinite(at) && at < this.nextDialDeadline) this.nextDialDeadline = at
  }

  dialFailed (address: NodeAddress): void {
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
      a.retryAt = now + this.retryDelay(a.dialFailures, entry.persistent)
      this.ranked = undefined
      this.persist(entry)
      this.logger.debug('dial failed', { address: a.url, failures: a.dialFailures, retryAt: a.retryAt })
    }
    this.changed()
  }

  dialed (address: NodeAddress): void {
    const peerId = address.peerId
    this.dialing.delete(peerId)
    const victim = this.releaseReservationOf(peerId)
    try {
      if (peerId === this.selfId) throw new SelfConnectionError()
      if (this.connected.has(peerId)) throw new AlreadyConnectedError(peerId)
      const entry = this.book.get(peerId)
      if (entry === undefined) throw new UnknownPeerError(peerId)
      const now = this.clock.now()
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
        this.slots.push({ entry, address: a })
        this.countGroup(address, +1)
      }
      if (a !== undefined) {
        a.source = 'verified'
        a.dialFailures = 0
        a.retryAt = 0
        a.lastConnectedAt = now
      }
      entry.lastSeenAt = now
      this.ranked = undefined
      if (full && victim !== undefined) this.queueUpgradeEviction(victim)
      this.connected.set(peerId, { direction: 'outbound', since: now })
      this.cooldownUntil.delete(peerId)
      this.counters.dialsSucceeded++
      this.persist(entry)
    } finally {
      this.changed()
    }
  }

  /** Queues the reserved victim, or an even lower-ranked peer that connected since. */
  private queueUpgradeEviction (reserved: string): void {
    const lowest = this.lowestEvictable()
    const reservedEntry = this.book.get(reserved)
    const reservedStillThere = reservedEntry !== undefined && this.isEvictable(reserved)
    if (reservedStillThere && (lowest === undefined || compareLowest(reservedEntry, lowest) <= 0)) {
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
      this.ranked = undefined
    }
    const o = this.options
    if (o.maxConnected > 0 && this.connected.size >= o.maxConnected) {
      const victim = this.findUpgradeVictim(peerId, peerScore(entry))
      if (victim !== undefined) {
        this.upgrading.delete(victim)
        this.evict.add(victim)
      }
    }
    entry.lastSeenAt = now
    this.connected.set(peerId, { direction: 'inbound', since: now })
    this.cooldownUntil.delete(peerId)
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
    const score = entry !== undefined ? peerScore(entry) : this.scoreOfNewPeer(peerId)
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
    const wasConnected = this.connected.delete(peerId)
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
    this.ranked = undefined
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
    this.ranked = undefined
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
      this.ranked = undefined
    }
    return entry
  }

  // ---------------------------------------------------------------------------------------------
  // Ranking, upgrades, pruning

  private rank (): PeerEntry[] {
    this.ranked ??= rankPeers(this.book.values())
    return this.ranked
  }

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
    let lowest: PeerEntry | undefined
    for (const peerId of this.connected.keys()) {
      const entry = this.book.get(peerId)
      if (entry === undefined || !eligible(peerId)) continue
      if (lowest === undefined || compareLowest(entry, lowest) < 0) lowest = entry
    }
    return lowest
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
    return lowest !== undefined && peerScore(lowest) < score ? lowest.peerId : undefined
  }

  /**
   * While over `maxPeers`, deletes the lowest-ranked peer that is neither dialing, connected nor
   * persistent. Usually one peer over: a linear scan per deletion, no sort.
   */
  private prune (): void {
    const max = this.options.maxPeers
    while (max > 0 && this.book.size > max) {
      let lowest: PeerEntry | undefined
      for (const entry of this.book.values()) {
        if (entry.persistent || this.dialing.has(entry.peerId) || this.connected.has(entry.peerId)) continue
        if (lowest === undefined || compareRank(entry, lowest) > 0) lowest = entry
      }
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
    for (const entry of [...this.book.values()]) {
      if (entry.persistent || now - entry.lastSeenAt < ttl) continue
      if (this.dialing.has(entry.peerId) || this.connected.has(entry.peerId)) continue
      let keep = false
      for (const a of entry.addresses.values()) keep ||= a.lastConnectedAt > 0 || a.source !== 'gossip'
      if (keep) continue
      this.deletePeer(entry)
      this.counters.peersExpired++
    }
  }

  private deletePeer (entry: PeerEntry): void {
    this.book.delete(entry.peerId)
    for (const a of entry.addresses.values()) {
      this.countGroup(a.address, -1)
      this.unslot(a)
    }
    this.cooldownUntil.delete(entry.peerId)
    this.ranked = undefined
    this.writer.schedule(entry.peerId)
  }

  /** Takes a deleted address out of `slots`: the last slot moves into its place. */
  private unslot (address: AddressEntry): void {
    const at = this.slots.findIndex(slot => slot.address === address)
    if (at < 0) return
    const last = this.slots.pop() as { entry: PeerEntry, address: AddressEntry }
    if (at < this.slots.length) this.slots[at] = last
  }

  // ---------------------------------------------------------------------------------------------
  // Peer exchange

  /**
   * The indexed manager's sampling written plainly over the sorted ranking, with the same random
   * draws in the same order: a partial shuffle of the top 2×wanted, then uniform draws of a
   * stored address by its place in `slots` (rejecting ineligible and taken ones) within the
   * same draw budget, then a partial shuffle of the eligible rest.
   */
  advertise (forPeerId: string, limit: number): NodeAddress[] {
    const max = Number.isFinite(limit) ? Math.floor(limit) : 0
    if (max <= 0) return []
    const result = this.selfAddresses.slice(0, max)
    const wanted = max - result.length
    if (wanted === 0) return result

    const now = this.clock.now()
    const maxAge = this.options.advertiseMaxAgeMs
    const isEligible = (entry: PeerEntry): boolean => {
      if (entry.peerId === forPeerId || entry.inactive || this.isBannedEntry(entry, now)) return false
      return this.connected.has(entry.peerId) || maxAge === 0 || now - entry.lastSeenAt <= maxAge
    }
    const ranking = this.rank()
    const eligible: AddressEntry[] = []
    for (const entry of ranking) {
      if (isEligible(entry)) eligible.push(...addressesInDialOrder(entry))
    }
    const top = eligible.slice(0, 2 * wanted)
    const fromTop = Math.min(top.length, Math.ceil(wanted * ADVERTISE_TOP_SHARE))
    this.pick(top, fromTop)
    const picked = top.slice(0, fromTop)
    let need = Math.min(eligible.length, wanted) - fromTop
    if (eligible.length < 2 * wanted) {
      const rest = top.slice(fromTop)
      this.pick(rest, need)
      picked.push(...rest.slice(0, need))
    } else {
      const slots = this.slots
      for (let draws = 4 * need + 32; need > 0 && draws > 0; draws--) {
        const slot = slots[Math.floor(this.random() * slots.length)] as { entry: PeerEntry, address: AddressEntry }
        if (!isEligible(slot.entry) || picked.includes(slot.address)) continue
        picked.push(slot.address)
        need--
      }
      const rest = eligible.filter(a => !picked.includes(a))
      need = Math.min(need, rest.length)
      this.pick(rest, need)
      picked.push(...rest.slice(0, need))
    }
    return [...result, ...picked.map(a => a.address)]
  }

  /** Partial Fisher–Yates: `items[0 … picks)` becomes a uniform random ordered pick of `items`. */
  private pick<T> (items: T[], picks: number): void {
    for (let i = 0; i < picks; i++) {
      const j = i + Math.floor(this.random() * (items.length - i))
      const item = items[i] as T
      items[i] = items[j] as T
      items[j] = item
    }
  }

  /**
   * advertise() as it was before issue 10's sampling (list every eligible address, shuffle it
   * all), kept only for the benchmark's side-by-side "before" column.
   */
  advertiseByFullShuffle (forPeerId: string, limit: number): NodeAddress[] {
    const max = Number.isFinite(limit) ? Math.floor(limit) : 0
    if (max <= 0) return []
    const result = this.selfAddresses.slice(0, max)
    const wanted = max - result.length
    if (wanted === 0) return result

    const now = this.clock.now()
    const maxAge = this.options.advertiseMaxAgeMs
    const eligible: NodeAddress[] = []
    for (const entry of this.rank()) {
      if (entry.peerId === forPeerId || entry.inactive || this.isBannedEntry(entry, now)) continue
      const fresh = this.connected.has(entry.peerId) || maxAge === 0 || now - entry.lastSeenAt <= maxAge
      if (!fresh) continue
      for (const a of addressesInDialOrder(entry)) eligible.push(a.address)
    }
    const topCount = Math.min(eligible.length, 2 * wanted)
    const top = this.shuffle(eligible.slice(0, topCount))
    const fromTop = top.slice(0, Math.ceil(wanted * ADVERTISE_TOP_SHARE))
    const others = this.shuffle([...top.slice(fromTop.length), ...eligible.slice(topCount)])
    return [...result, ...fromTop, ...others.slice(0, wanted - fromTop.length)]
  }

  private shuffle<T> (items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      const item = items[i] as T
      items[i] = items[j] as T
      items[j] = item
    }
    return items
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
    return this.rank().map(entry => this.snapshot(entry, now))
  }

  private snapshot (entry: PeerEntry, now: number): PeerSnapshot {
    const connection = this.connected.get(entry.peerId)
    const addresses = addressesInDialOrder(entry)
    const row: PeerSnapshot = {
      peerId: entry.peerId,
      state: 'known',
      ready: this.readySet.has(entry.peerId),
      score: peerScore(entry),
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
    const now = this.clock.now()
    const byState: Record<PeerState, number> = { connected: 0, dialing: 0, backoff: 0, banned: 0, known: 0, inactive: 0 }
    for (const entry of this.book.values()) byState[this.snapshot(entry, now).state]++
    const outbound = [...this.connected.values()].filter(c => c.direction === 'outbound').length
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
    let outbound = this.dialing.size
    for (const connection of this.connected.values()) if (connection.direction === 'outbound') outbound++
    return outbound
  }

  /** Writes the entry through; anything worth persisting may also reorder the ranking. */
  private persist (entry: PeerEntry): void {
    this.ranked = undefined
    this.writer.schedule(entry.peerId)
  }

  /** Any state change: let waiting dialNext()/evictNext() callers look again. */
  private changed (): void {
    this.dialWake.wake()
    this.evictWake.wake()
  }
}

/** Lowest first: by score, then by ranking (more failures, tie-break). */
function compareLowest (a: PeerEntry, b: PeerEntry): number {
  return (peerScore(a) - peerScore(b)) || -compareRank(a, b)
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
export async function openReferencePeerManager (init: PeerManagerInit): Promise<PeerManager> {
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
  const manager = new ReferencePeerManager(init, options)
  manager.load(records, skipped)
  manager.configure(persistentPeers)
  return manager
}
