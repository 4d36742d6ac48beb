/**
 * The contract every peer store adapter fulfils (memory, IndexedDB, LevelDB on disk).
 *
 * The PeerManager keeps its whole working set in memory, loads it once with `load()` and writes
 * through with `put()` / `delete()`. Records are stored as JSON-compatible objects with a schema
 * version; an adapter never interprets them beyond decoding, and `load()` reports records it could
 * not decode in `skipped` instead of failing or deleting anything.
 */
import type { AbortOptions } from '@libp2p/interface'

/** How we learned an address; a `verified` address is never overwritten by gossip. */
export type AddressSource = 'config' | 'gossip' | 'verified'

/** One address of a peer, in its canonical NodeAddress URL form. */
export interface StoredAddress {
  /** Canonical NodeAddress URL (`NodeAddress.toString()`). */
  url: string
  source: AddressSource
  /** Consecutive dial failures of this address. */
  dialFailures: number
  /** When the last dial of this address failed (epoch ms), 0 if never. */
  lastDialFailureAt: number
  /** When a connection over this address last succeeded (epoch ms), 0 if never. */
  lastConnectedAt: number
}

/** Everything persisted about one peer. */
export interface PeerRecord {
  /** Schema version of this record; adapters skip records of unknown versions. */
  v: 1
  /** libp2p PeerId string (case-sensitive). */
  peerId: string
  addresses: StoredAddress[]
  /** Mutable score from good/bad reports (saturating). */
  score: number
  /** Decaying misbehaviour points, as of `misbehaviourAt`. */
  misbehaviour: number
  misbehaviourAt: number
  /** Banned until this time (epoch ms); 0 when not banned. */
  bannedUntil: number
  /** Why the ban was issued, for operators. */
  banReason?: string
  /** Marked incompatible (wrong protocol version etc.); never dialed nor accepted. */
  inactive: boolean
  /** Last time we heard of or from this peer (epoch ms), for staleness in PEX. */
  lastSeenAt: number
}

/** What `load()` returns: the good records plus a count of those it had to skip. */
export interface PeerStoreLoadResult {
  records: PeerRecord[]
  /** Records that were corrupt, of a foreign shape or of an unknown version: skipped, kept on disk. */
  skipped: number
}

export interface PeerStore {
  load(options?: AbortOptions): Promise<PeerStoreLoadResult>
  put(record: PeerRecord, options?: AbortOptions): Promise<void>
  delete(peerId: string, options?: AbortOptions): Promise<void>
  close(): Promise<void>
}
