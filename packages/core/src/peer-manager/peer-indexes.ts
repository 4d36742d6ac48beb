/**
 * The PeerManager's indexes over its address book, kept up to date on every state change so that
 * no decision walks or sorts the whole book (issue 10). See docs/ARCHITECTURE.md, "PeerManager
 * indexes". The PeerManager calls {@link PeerIndexes.reindex} after every change to a peer (its
 * score, failures, addresses, ban, inactivity, connection, dial or cooldown), `insert` / `remove`
 * when the book gains or loses it, and {@link PeerIndexes.refresh} before it reads anything that
 * depends on the time.
 *
 * - `ranked`: every peer in ranking order (active first, score descending, fewer dial failures,
 *   the random tie-break, then book order), each weighted with the deadline a dial search would
 *   note while skipping it and marked if it may be dialed now; every subtree knows its smallest
 *   such deadline and whether it holds a dialable peer, so the dial candidate (the first
 *   dialable peer) and the wake-up deadline before it are O(log n).
 * - `slots`: every stored address with its peer, in two parallel flat arrays in no meaningful
 *   order (an address is appended when it is first indexed and swap-removed when it leaves), so
 *   advertise()'s uniform draw of a stored address is one random index: O(1), two array reads,
 *   instead of an order-statistic descent of the ranking. The PeerManager reports an address
 *   that leaves a peer still in the book with {@link PeerIndexes.addressRemoved}; new addresses
 *   are listed by the reindex that follows every change.
 * - `connected`: connected peers, lowest first (the upgrade victim and eviction order).
 * - `wake`: a min-heap of the moment each peer's state next changes with time alone (a ban, a
 *   cooldown or every retry delay ending); `refresh(now)` re-indexes the peers that are due.
 * - `expiry`: a min-heap by `lastSeenAt` of the peers an expiry sweep may delete.
 * - `byState`: how many peers are in each `peers()` state.
 */
import type { PeerState } from '../vocabulary.js'
import { IndexedMinHeap } from './indexed-heap.js'
import { OrderedIndex } from './ordered-index.js'
import { persistentPeerScore, ranksAsPersistent, sortAddressesForDial, type AddressEntry, type PeerEntry } from './peer-entry.js'

/** What the indexes need to know of the manager's connection state. */
export interface PeerIndexView {
  isConnected(peerId: string): boolean
  isDialing(peerId: string): boolean
  /** The end of the peer's disconnect cooldown if it is still running at `now`, else 0. */
  cooldownAt(peerId: string, now: number): number
}

/** Ranking order, best first (a total order: `seq` settles exact ties, as a stable sort did). */
export function compareRanked (a: PeerEntry, b: PeerEntry): number {
  if (a.rankInactive !== b.rankInactive) return a.rankInactive ? 1 : -1
  if (a.rankScore !== b.rankScore) return a.rankScore > b.rankScore ? -1 : 1
  if (a.rankFailures !== b.rankFailures) return a.rankFailures < b.rankFailures ? -1 : 1
  if (a.tieBreak !== b.tieBreak) return a.tieBreak < b.tieBreak ? -1 : 1
  return a.seq - b.seq
}

/** Same ranking keys (only book order tells them apart). */
function rankTied (a: PeerEntry, b: PeerEntry): boolean {
  return a.rankInactive === b.rankInactive && a.rankScore === b.rankScore &&
    a.rankFailures === b.rankFailures && a.tieBreak === b.tieBreak
}

/**
 * Lowest first: by score, then by reversed ranking (inactive, more failures, larger tie-break).
 * 0 for peers only the order they connected in tells apart.
 */
export function compareLowestKeys (a: PeerEntry, b: PeerEntry): number {
  if (a.rankScore !== b.rankScore) return a.rankScore < b.rankScore ? -1 : 1
  if (a.rankInactive !== b.rankInactive) return a.rankInactive ? -1 : 1
  if (a.rankFailures !== b.rankFailures) return a.rankFailures > b.rankFailures ? -1 : 1
  if (a.tieBreak !== b.tieBreak) return a.tieBreak > b.tieBreak ? -1 : 1
  return 0
}

/** {@link compareLowestKeys}, then the order they connected in (a scan kept the first it met). */
function compareLowest (a: PeerEntry, b: PeerEntry): number {
  return compareLowestKeys(a, b) || (a.connSeq - b.connSeq)
}

function failureTotal (entry: PeerEntry): number {
  let total = 0
  for (const a of entry.addresses.values()) total += a.dialFailures
  return total
}

/** The cached dial order: undefined when the addresses map already is in it (one address or none). */
function cachedDialOrder (entry: PeerEntry): AddressEntry[] | undefined {
  return entry.addresses.size <= 1 ? undefined : sortAddressesForDial(entry)
}

export class PeerIndexes {
  private readonly view: PeerIndexView
  private readonly ranked = new OrderedIndex<PeerEntry>(compareRanked, entry => entry.waitAt, entry => entry.dialable)
  private readonly connected = new OrderedIndex<PeerEntry>(compareLowest)
  private readonly wake = new IndexedMinHeap<PeerEntry>()
  private readonly expiry = new IndexedMinHeap<PeerEntry>()
  /** `slotAddresses[i]` is a stored address of `slotPeers[i]`; `a.slot` is its i. */
  private readonly slotPeers: PeerEntry[] = []
  private readonly slotAddresses: AddressEntry[] = []
  /** Peers per `peers()` state, as of the latest `refresh()` (plus later reindexes). */
  readonly byState: Record<PeerState, number> = { connected: 0, dialing: 0, backoff: 0, banned: 0, known: 0, inactive: 0 }
  private nextSeq = 0
  private nextConnSeq = 0
  /** The latest time anything was indexed at; a clock that goes back re-indexes everyone. */
  private indexedAt = -Infinity

  constructor (view: PeerIndexView) {
    this.view = view
  }

  /** A peer just added to the book. */
  insert (entry: PeerEntry, now: number): void {
    entry.seq = this.nextSeq++
    this.reindex(entry, now)
  }

  /** A peer just deleted from the book. */
  remove (entry: PeerEntry): void {
    for (const a of entry.addresses.values()) this.addressRemoved(a)
    if (entry.inRanked) this.ranked.delete(entry)
    if (entry.inConnected) this.connected.delete(entry)
    entry.inRanked = entry.dialable = entry.inConnected = false
    if (entry.wakeHandle !== undefined && this.wake.holds(entry.wakeHandle)) this.wake.remove(entry.wakeHandle)
    if (entry.expiryHandle !== undefined && this.expiry.holds(entry.expiryHandle)) this.expiry.remove(entry.expiryHandle)
    entry.wakeHandle = entry.expiryHandle = undefined
    if (entry.state !== undefined) this.byState[entry.state]--
    entry.state = undefined
  }

  /**
   * Recomputes the peer's cached keys and state at `now` and moves it in every index whose
   * order or membership changed. O(log n), plus O(addresses) for its failure total and dial order.
   */
  reindex (entry: PeerEntry, now: number): void {
    if (now > this.indexedAt) this.indexedAt = now
    const peerId = entry.peerId
    const failures = failureTotal(entry)
    const score = entry.fixedScore !== undefined
      ? entry.fixedScore
      : ranksAsPersistent(entry) ? persistentPeerScore : entry.score - failures
    const inactive = entry.inactive
    const keysMoved = !entry.inRanked || failures !== entry.rankFailures || score !== entry.rankScore || inactive !== entry.rankInactive
    entry.dialOrder = cachedDialOrder(entry)

    const connected = this.view.isConnected(peerId)
    const dialing = this.view.isDialing(peerId)
    const banned = entry.bannedUntil > now
    const cooldown = this.view.cooldownAt(peerId, now)
    let anyDue = false
    let minRetryAt = Infinity
    for (const a of entry.addresses.values()) {
      if (a.slot < 0) this.list(entry, a)
      if (a.retryAt <= now) anyDue = true
      if (a.retryAt < minRetryAt) minRetryAt = a.retryAt
    }
    const cooling = cooldown > now
    const hasAddresses = entry.addresses.size > 0

    let state: PeerState
    if (connected) state = 'connected'
    else if (dialing) state = 'dialing'
    else if (banned) state = 'banned'
    else if (inactive) state = 'inactive'
    else state = cooling || (hasAddresses && minRetryAt > now) ? 'backoff' : 'known'

    const skipped = inactive || dialing || connected
    const isDialable = !skipped && !banned && !cooling && anyDue
    // What the dial search notes when it skips this peer: its ban end, else its cooldown end,
    // else (no address due) its earliest retry.
    let waitAt = Infinity
    if (!skipped && !isDialable) waitAt = banned ? entry.bannedUntil : cooling ? cooldown : minRetryAt
    let wakeAt = Infinity
    if (!connected && !dialing) {
      if (banned) wakeAt = entry.bannedUntil
      else if (!inactive) wakeAt = cooling ? cooldown : hasAddresses && !anyDue ? minRetryAt : Infinity
    }

    if (entry.inRanked && (keysMoved || waitAt !== entry.waitAt || isDialable !== entry.dialable)) {
      this.ranked.delete(entry)
      entry.inRanked = false
    }
    if (entry.inConnected && (keysMoved || !connected)) {
      this.connected.delete(entry)
      entry.inConnected = false
    }
    entry.rankFailures = failures
    entry.rankScore = score
    entry.rankInactive = inactive
    entry.waitAt = waitAt
    entry.dialable = isDialable
    if (!entry.inRanked) {
      this.ranked.insert(entry)
      entry.inRanked = true
    }
    if (!connected) {
      entry.connSeq = -1
    } else if (!entry.inConnected) {
      if (entry.connSeq < 0) entry.connSeq = this.nextConnSeq++
      this.connected.insert(entry)
      entry.inConnected = true
    }

    if (entry.state !== state) {
      if (entry.state !== undefined) this.byState[entry.state]--
      this.byState[state]++
      entry.state = state
    }

    const wakeHeld = entry.wakeHandle !== undefined && this.wake.holds(entry.wakeHandle)
    if (wakeAt === Infinity) {
      if (wakeHeld) this.wake.remove(entry.wakeHandle as NonNullable<PeerEntry['wakeHandle']>)
    } else if (wakeHeld) {
      this.wake.update(entry.wakeHandle as NonNullable<PeerEntry['wakeHandle']>, wakeAt)
    } else {
      entry.wakeHandle = this.wake.push(entry, wakeAt)
    }

    let keep = entry.persistent || connected || dialing
    if (!keep) for (const a of entry.addresses.values()) keep ||= a.lastConnectedAt > 0 || a.source !== 'gossip'
    const expiryHeld = entry.expiryHandle !== undefined && this.expiry.holds(entry.expiryHandle)
    if (keep && expiryHeld) this.expiry.remove(entry.expiryHandle as NonNullable<PeerEntry['expiryHandle']>)
    else if (!keep && !expiryHeld) entry.expiryHandle = this.expiry.push(entry, entry.lastSeenAt)
  }

  private list (entry: PeerEntry, a: AddressEntry): void {
    a.slot = this.slotAddresses.length
    this.slotPeers.push(entry)
    this.slotAddresses.push(a)
  }

  /** Re-indexes every peer whose state changed with time alone by `now`. */
  refresh (now: number): void {
    if (now < this.indexedAt) {
      // The clock went back: deadlines already passed may lie ahead again.
      for (const entry of this.ranked.toArray()) this.reindex(entry, now)
      this.indexedAt = now
      return
    }
    for (let due = this.wake.peek(); due !== undefined && due.key <= now; due = this.wake.peek()) {
      this.reindex(due.item, now)
    }
    this.indexedAt = now
  }

  /** The best-ranked peer that may be dialed now (after `refresh(now)`). */
  firstDialable (): PeerEntry | undefined {
    return this.ranked.firstMarked()
  }

  /**
   * The earliest deadline a dial search walking the ranking would have noted before reaching
   * `stop` (every skipped peer's, when `stop` is undefined): dialNext()'s wake-up.
   */
  earliestWaitBefore (stop: PeerEntry | undefined): number {
    return stop === undefined ? this.ranked.minWeight() : this.ranked.minWeightBefore(stop)
  }

  /** The lowest connected peer for which `eligible` holds. */
  lowestConnected (eligible: (entry: PeerEntry) => boolean): PeerEntry | undefined {
    for (let entry = this.connected.first(); entry !== undefined; entry = this.connected.next(entry)) {
      if (eligible(entry)) return entry
    }
    return undefined
  }

  /**
   * The lowest-ranked peer for which `eligible` holds; among exact ties the earliest in book
   * order (what a linear scan keeping the first strictly lower peer chose).
   */
  lowestRanked (eligible: (entry: PeerEntry) => boolean): PeerEntry | undefined {
    let lowest = this.ranked.last()
    while (lowest !== undefined && !eligible(lowest)) lowest = this.ranked.previous(lowest)
    if (lowest === undefined) return undefined
    for (let p = this.ranked.previous(lowest); p !== undefined && rankTied(p, lowest); p = this.ranked.previous(p)) {
      if (eligible(p)) lowest = p
    }
    return lowest
  }

  /** Calls `visit` on every peer in ranking order until it returns false. */
  forEachRanked (visit: (entry: PeerEntry) => boolean | undefined): void {
    this.ranked.forEach(visit)
  }

  /**
   * An address just deleted from the map of a peer that stays in the book (a peer leaving the
   * book takes its addresses out through {@link remove}). O(1): the last slot moves into its place.
   */
  addressRemoved (a: AddressEntry): void {
    const at = a.slot
    if (at < 0) return
    const lastPeer = this.slotPeers.pop() as PeerEntry
    const last = this.slotAddresses.pop() as AddressEntry
    if (last !== a) {
      this.slotPeers[at] = lastPeer
      this.slotAddresses[at] = last
      last.slot = at
    }
    a.slot = -1
  }

  /** How many addresses are stored (every stored peer's, eligible to advertise or not). */
  addressCount (): number {
    return this.slotAddresses.length
  }

  /** The peer holding the address in slot `k` (0 ≤ k < addressCount()). */
  peerInSlot (k: number): PeerEntry | undefined {
    return this.slotPeers[k]
  }

  /** The stored address in slot `k` (0 ≤ k < addressCount()). */
  addressInSlot (k: number): AddressEntry | undefined {
    return this.slotAddresses[k]
  }

  ranking (): PeerEntry[] {
    return this.ranked.toArray()
  }

  /**
   * The peers an expiry sweep deletes at `now`, in book order: not persistent, not connected nor
   * dialing, no address we connected to or got from config, unseen for `ttlMs`. They leave the
   * expiry heap; the caller deletes them. Keys older than the peer's `lastSeenAt` are brought up
   * to date on the way (each refresh of `lastSeenAt` costs at most one such step).
   */
  takeExpired (now: number, ttlMs: number): PeerEntry[] {
    const expired: PeerEntry[] = []
    for (let oldest = this.expiry.peek(); oldest !== undefined && now - oldest.key >= ttlMs; oldest = this.expiry.peek()) {
      const entry = oldest.item
      if (now - entry.lastSeenAt >= ttlMs) {
        this.expiry.remove(oldest)
        expired.push(entry)
      } else {
        this.expiry.update(oldest, entry.lastSeenAt)
      }
    }
    return expired.sort((a, b) => a.seq - b.seq)
  }
}
