/**
 * What the PeerManager holds about one peer in memory, how it maps to the persisted
 * {@link PeerRecord}, and the pure functions over it: score, dial order of addresses, retry
 * delay and misbehaviour decay. The ranking itself is kept by `peer-indexes.ts`.
 */
import { parseNodeAddress, type NodeAddress } from '../address/index.js'
import { backoffDelayMs } from '../backoff.js'
import type { Random } from '../clock.js'
import type { PeerState } from '../vocabulary.js'
import type { AddressSource, PeerRecord } from '../store/peer-store.js'
import type { HeapHandle } from './indexed-heap.js'
import type { PeerManagerOptions } from './options.js'

/** Highest score a report can give a peer (reports saturate here). */
export const maxPeerScore = 100
/** Lowest score a report can give a peer (reports saturate here). */
export const minPeerScore = -100
/** The score of a persistent peer: above anything reports can reach. */
export const persistentPeerScore = 1000

const HOUR_MS = 3_600_000
/** Failure counters saturate here (they only ever grow by one per dial). */
const MAX_DIAL_FAILURES = 1_000_000
/** Ban reasons are cut to this many characters before they are stored. */
const MAX_BAN_REASON_LENGTH = 256
/** "Forever" for a ban without a duration: the last moment a JavaScript Date can hold. */
export const BAN_FOREVER = 8_640_000_000_000_000

const SOURCE_TRUST: Record<AddressSource, number> = { gossip: 0, config: 1, verified: 2 }

/** True when an address from `incoming` may replace the source label `current`. */
export function outranksSource (incoming: AddressSource, current: AddressSource): boolean {
  return SOURCE_TRUST[incoming] > SOURCE_TRUST[current]
}

export interface AddressEntry {
  readonly address: NodeAddress
  readonly url: string
  /** add() sets it; raised (never lowered) by a more trusted add(), `verified` by dialed(). */
  source: AddressSource
  /** dialFailed() counts up; dialed() resets to 0. */
  dialFailures: number
  /** dialFailed() sets it. */
  lastDialFailureAt: number
  /** dialed() over this address sets it. */
  lastConnectedAt: number
  /** Not persisted: when this address may be dialed again (0: now). dialFailed() sets it. */
  retryAt: number
  /**
   * Index bookkeeping, owned by PeerIndexes (peer-indexes.ts): this address's place in the flat
   * list of stored addresses advertise() draws from (-1: not listed yet).
   */
  slot: number
}

export interface PeerEntry {
  readonly peerId: string
  /** Addresses by canonical URL, in the order they were added. add() / dialed() fill it. */
  readonly addresses: Map<string, AddressEntry>
  /** Mutable score: reportGood() / reportBad(), saturating in [minPeerScore, maxPeerScore]. */
  score: number
  /** Decaying misbehaviour points as of `misbehaviourAt`: misbehaved(). */
  misbehaviour: number
  misbehaviourAt: number
  /** ban() / misbehaved() set it; a ban ends when the clock passes it. */
  bannedUntil: number
  banReason: string | undefined
  /** inactivate() sets it; an inactive peer is never dialed nor accepted again. */
  inactive: boolean
  /** add(), dialed(), accepted() and disconnected() refresh it. */
  lastSeenAt: number
  /** Not persisted: from the `persistentPeers` given at open. */
  readonly persistent: boolean
  /**
   * Not persisted: times in a row the peer took our dial and hung up at once because it was full
   * (`dialFailed(address, { refused: true })`); back to 0 once it keeps us as a neighbour for
   * {@link REFUSALS_FORGOTTEN_AFTER_MS}. While > 0 a persistent peer ranks as an ordinary one: a
   * full bootstrap is asked again only when nobody better is dialable, not before everyone else.
   */
  refusals: number
  /** Not persisted: from the `peerScores` given at open. */
  readonly fixedScore: number | undefined
  /** Not persisted: a random number breaking ties in the ranking, drawn once per entry. */
  readonly tieBreak: number

  // Index bookkeeping, owned by PeerIndexes (peer-indexes.ts) and refreshed by its reindex(),
  // which the PeerManager calls after every change to the peer. Nothing else writes these.
  /** Order of insertion into the book: the ranking's last tie-break (as a stable sort kept it). */
  seq: number
  /** Cached sort keys of the ranking, as of the last reindex. */
  rankInactive: boolean
  rankScore: number
  rankFailures: number
  /** Order of becoming connected (-1 while not): the lowest-connected order's last tie-break. */
  connSeq: number
  /** Cached `addresses` in dial order ({@link sortAddressesForDial}); undefined with one address or none. */
  dialOrder: AddressEntry[] | undefined
  /** `peers()` / `stats()` state as of the last reindex (undefined: not indexed). */
  state: PeerState | undefined
  /** Earliest retry/cooldown/ban end a dial search skipping this peer would note (Infinity: none). */
  waitAt: number
  inRanked: boolean
  /** May be dialed now (marked in the ranking). */
  dialable: boolean
  inConnected: boolean
  /** In the wake-up heap: when this peer's state may next change with time alone. */
  wakeHandle: HeapHandle<PeerEntry> | undefined
  /** In the expiry heap: keyed by a `lastSeenAt` (possibly older than the current one). */
  expiryHandle: HeapHandle<PeerEntry> | undefined
}

export interface PeerEntryConfig {
  persistent: boolean
  fixedScore: number | undefined
  random: Random
}

export function createPeerEntry (peerId: string, now: number, config: PeerEntryConfig): PeerEntry {
  return {
    peerId,
    addresses: new Map(),
    score: 0,
    misbehaviour: 0,
    misbehaviourAt: 0,
    bannedUntil: 0,
    banReason: undefined,
    inactive: false,
    lastSeenAt: now,
    persistent: config.persistent,
    refusals: 0,
    fixedScore: config.fixedScore,
    tieBreak: config.random(),
    seq: -1,
    rankInactive: false,
    rankScore: 0,
    rankFailures: 0,
    connSeq: -1,
    dialOrder: undefined,
    state: undefined,
    waitAt: Infinity,
    inRanked: false,
    dialable: false,
    inConnected: false,
    wakeHandle: undefined,
    expiryHandle: undefined
  }
}

export function createAddressEntry (address: NodeAddress, source: AddressSource): AddressEntry {
  return { address, url: address.toString(), source, dialFailures: 0, lastDialFailureAt: 0, lastConnectedAt: 0, retryAt: 0, slot: -1 }
}

/** The persisted form of `entry` (valid for `validatePeerRecord`). */
export function peerEntryToRecord (entry: PeerEntry): PeerRecord {
  const record: PeerRecord = {
    v: 1,
    peerId: entry.peerId,
    addresses: [...entry.addresses.values()].map(a => ({
      url: a.url,
      source: a.source,
      dialFailures: a.dialFailures,
      lastDialFailureAt: a.lastDialFailureAt,
      lastConnectedAt: a.lastConnectedAt
    })),
    score: entry.score,
    misbehaviour: entry.misbehaviour,
    misbehaviourAt: entry.misbehaviourAt,
    bannedUntil: entry.bannedUntil,
    inactive: entry.inactive,
    lastSeenAt: entry.lastSeenAt
  }
  if (entry.banReason !== undefined) record.banReason = entry.banReason
  return record
}

export interface RestoredPeer {
  entry: PeerEntry
  /** Stored addresses that no longer parse or belong to another peer: dropped. */
  droppedAddresses: number
}

/**
 * Rebuilds an entry from a stored record (already validated by the store's codec). Addresses
 * that do not parse, or name another peer, are dropped; retry deadlines are recomputed from the
 * stored failure counts.
 */
export function peerEntryFromRecord (
  record: PeerRecord, config: PeerEntryConfig, retryDelay: (failures: number, persistent: boolean) => number
): RestoredPeer {
  const entry = createPeerEntry(record.peerId, record.lastSeenAt, config)
  entry.score = clampScore(record.score)
  entry.misbehaviour = record.misbehaviour
  entry.misbehaviourAt = record.misbehaviourAt
  entry.bannedUntil = record.bannedUntil
  entry.banReason = record.banReason
  entry.inactive = record.inactive
  let droppedAddresses = 0
  for (const stored of record.addresses) {
    let address: NodeAddress
    try {
      address = parseNodeAddress(stored.url)
    } catch {
      droppedAddresses++
      continue
    }
    if (address.peerId !== record.peerId || entry.addresses.has(address.toString())) {
      droppedAddresses++
      continue
    }
    const a = createAddressEntry(address, stored.source)
    a.dialFailures = Math.min(stored.dialFailures, MAX_DIAL_FAILURES)
    a.lastDialFailureAt = stored.lastDialFailureAt
    a.lastConnectedAt = stored.lastConnectedAt
    a.retryAt = a.dialFailures === 0 ? 0 : a.lastDialFailureAt + retryDelay(a.dialFailures, config.persistent)
    entry.addresses.set(a.url, a)
  }
  return { entry, droppedAddresses }
}

export function clampScore (score: number): number {
  return Math.min(maxPeerScore, Math.max(minPeerScore, Math.round(score)))
}

export function countRefusal (entry: PeerEntry): void {
  entry.refusals = Math.min(entry.refusals + 1, MAX_DIAL_FAILURES)
}

export function countDialFailure (a: AddressEntry): void {
  a.dialFailures = Math.min(a.dialFailures + 1, MAX_DIAL_FAILURES)
}

export function trimBanReason (reason: string): string {
  return reason.length > MAX_BAN_REASON_LENGTH ? `${reason.slice(0, MAX_BAN_REASON_LENGTH - 1)}…` : reason
}

export function totalDialFailures (entry: PeerEntry): number {
  let total = 0
  for (const a of entry.addresses.values()) total += a.dialFailures
  return total
}

/** A persistent peer that has not just refused us for being full. */
export function ranksAsPersistent (entry: PeerEntry): boolean {
  return entry.persistent && entry.refusals === 0
}

/**
 * A connection to a peer that lasted this long was a neighbour's, not a refusal held open in grace
 * (at most a few seconds): its refusal streak is forgotten when it ends.
 */
export const REFUSALS_FORGOTTEN_AFTER_MS = 30_000

/**
 * A fixed score if one is configured; the persistent score for persistent peers (unless they just
 * refused us: {@link ranksAsPersistent}); otherwise
 * the mutable score minus the dial failures of its addresses (CometBFT's rule).
 */
export function peerScore (entry: PeerEntry): number {
  if (entry.fixedScore !== undefined) return entry.fixedScore
  if (ranksAsPersistent(entry)) return persistentPeerScore
  return entry.score - totalDialFailures(entry)
}

/** The peer's addresses in dial order, from the cache the indexes keep. */
export function dialOrderOf (entry: PeerEntry): Iterable<AddressEntry> {
  return entry.dialOrder ?? entry.addresses.values()
}

/** Addresses in the order a dial tries them: verified, then config, then gossip; fewer failures first. */
export function sortAddressesForDial (entry: PeerEntry): AddressEntry[] {
  return [...entry.addresses.values()].sort((x, y) =>
    (SOURCE_TRUST[y.source] - SOURCE_TRUST[x.source]) || (x.dialFailures - y.dialFailures))
}

/**
 * The wait before an address that failed `failures` times in a row may be dialed again:
 * `minRetryTimeMs × failures + jitter` (`refused`: `refusedRetryTimeMs × 2^(failures − 1) + jitter`,
 * for a peer that hung up on us because it was full), capped. Infinity when retries are off.
 */
export function retryDelayMs (options: PeerManagerOptions, random: Random, failures: number, persistent: boolean, refused = false): number {
  if (failures <= 0) return 0
  if (options.minRetryTimeMs === 0) return Infinity
  const cap = persistent && options.maxRetryTimePersistentMs > 0 ? options.maxRetryTimePersistentMs : options.maxRetryTimeMs
  const baseMs = refused && options.refusedRetryTimeMs > 0 ? options.refusedRetryTimeMs : options.minRetryTimeMs
  return backoffDelayMs({ growth: refused ? 'exponential' : 'linear', baseMs, capMs: cap, jitterMs: options.retryTimeJitterMs }, failures, random)
}

/** Misbehaviour points left at `now` after decaying `decayPerHour` per hour since `at`. */
export function decayedMisbehaviour (points: number, at: number, now: number, decayPerHour: number): number {
  if (points <= 0) return 0
  const elapsedMs = Math.max(0, now - at)
  return Math.max(0, points - decayPerHour * elapsedMs / HOUR_MS)
}
