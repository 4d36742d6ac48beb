/**
 * The public types of the PeerManager: what `openPeerManager()` takes, the interface it returns,
 * and the snapshot and stats rows it reports.
 */
import type { NodeAddress } from '../address/index.js'
import type { Clock, Random } from '../clock.js'
import type { Logger } from '../logger.js'
import type { PeerState } from '../vocabulary.js'
import type { AddressSource, PeerStore } from '../store/peer-store.js'
import type { PeerManagerOptions } from './options.js'
import type { PeerUpdateSubscription, SubscribeOptions } from './subscription.js'

export interface PeerManagerInit {
  /** Our own PeerId string: never stored, dialed nor accepted. */
  selfId: string
  /** Where peers are loaded from at open and written through to. The caller closes it. */
  store: PeerStore
  /** Overrides of {@link defaultPeerManagerOptions}; validated together at open. */
  options?: Partial<PeerManagerOptions>
  /** @default systemClock */
  clock?: Clock
  /** @default systemRandom */
  random?: Random
  /** @default silentLogger */
  logger?: Logger
  /**
   * Peers we always want connected: added as `config` addresses at open, scored above every
   * other peer, never pruned, retried with `maxRetryTimePersistentMs`. At most `maxConnected`.
   *
   * @default []
   */
  persistentPeers?: NodeAddress[]
  /**
   * Fixed scores for some peers (mostly for tests), replacing their computed score.
   *
   * @default {}
   */
  peerScores?: Readonly<Record<string, number>>
  /**
   * Our own dialable addresses, advertised first by `advertise()`; `setSelfAddresses()` changes them.
   *
   * @default []
   */
  selfAddresses?: NodeAddress[]
}

export interface AddOptions {
  /**
   * How we learned the address. Gossip is the least trusted: it is subject to the per-peer,
   * per-subnet and per-relay caps and to `allowPrivateAddresses`, and never changes an address
   * we already hold from config or verified by a connection.
   *
   * @default 'gossip'
   */
  source?: AddressSource
}

/** One row of `peers()`: what the manager thinks of a peer right now. */
export interface PeerSnapshot {
  peerId: string
  state: PeerState
  /** Set while connected. */
  direction?: 'inbound' | 'outbound'
  /** Epoch ms when the current connection opened (set while connected). */
  connectedSince?: number
  /** True between `ready()` and `disconnected()`. */
  ready: boolean
  score: number
  persistent: boolean
  /** Canonical NodeAddress URLs, in dial order. */
  addresses: string[]
  /** Epoch ms when a backoff or ban ends (state `backoff` / `banned`), if it ends. */
  until?: number
  banReason?: string
  /** Misbehaviour points as of now (decayed). */
  misbehaviour: number
  lastSeenAt: number
}

/** Why `add()` refused an address. */
export type AddressRefusal = 'banned' | 'inactive' | 'private' | 'group' | 'relay' | 'peer-full'

/** Counters for metrics. All counters only grow, except the gauges (peers, connected…). */
export interface PeerManagerStats {
  /** Peers in the address book. */
  peers: number
  byState: Record<PeerState, number>
  connected: number
  inbound: number
  outbound: number
  dialing: number
  ready: number
  evicting: number
  upgrading: number
  dialsStarted: number
  dialsSucceeded: number
  dialsFailed: number
  accepted: number
  evictionsStarted: number
  bansIssued: number
  addressesAdded: number
  addressesRefused: Record<AddressRefusal, number>
  peersPruned: number
  peersExpired: number
  /** Peer updates dropped because a subscriber fell behind. */
  updatesDropped: number
  /** Stored records `load()` could not use (reported by the store, or our own check). */
  recordsSkipped: number
  /** Stored addresses dropped at load (unparsable, or of another peer). */
  addressesSkipped: number
  storeWrites: number
  storeErrors: number
  storeWritesPending: number
}

export interface PeerManager {
  /**
   * Stores an address (a NodeAddress or its URL). Returns true if it is new and kept; false for
   * a duplicate (a more trusted source still upgrades its label) or a refused one (counted in
   * `stats().addressesRefused`).
   *
   * @throws {InvalidNodeAddressError} for a URL that does not parse
   * @throws {SelfConnectionError} for one of our own addresses
   */
  add(address: NodeAddress | string, options?: AddOptions): boolean
  /** The next address to dial, marking its peer dialing; undefined when nothing may be dialed now. */
  tryDialNext(): NodeAddress | undefined
  /**
   * Like `tryDialNext()` but waits until an address may be dialed.
   *
   * @throws the signal's reason when aborted; {@link PeerManagerClosedError} when closed
   */
  dialNext(signal?: AbortSignal): Promise<NodeAddress>
  /**
   * An outbound connection to `address` succeeded. The address becomes `verified`.
   *
   * @throws {SelfConnectionError} {AlreadyConnectedError} {UnknownPeerError} {PeerBannedError}
   *   {InactivePeerError} {ConnectionLimitError}: the router must close the connection
   */
  dialed(address: NodeAddress): void
  /**
   * A dial of `address` failed: its retry delay grows, linearly (`minRetryTimeMs × failures`),
   * or exponentially (`refusedRetryTimeMs × 2^(failures − 1)`) when `refused`: the peer took the
   * connection and hung up because it was full. Asking a full peer again at a steady pace only
   * adds to its load (every node of a large mesh redialling its one bootstrap). Unknown peers
   * and addresses are ignored.
   */
  dialFailed(address: NodeAddress, failure?: DialFailure): void
  /**
   * An inbound connection from `peerId` was accepted; an unknown peer is registered.
   *
   * @throws {SelfConnectionError} {PeerBannedError} {InactivePeerError} {AlreadyConnectedError}
   *   {ConnectionLimitError}: the router must close the connection
   */
  accepted(peerId: string): void
  /**
   * Whether a connection with `peerId` may be opened now, for a libp2p connection gater (dials
   * and inbound alike): false for ourselves, banned and inactive peers, and when every slot is
   * taken and the peer could not upgrade over a lower-scored one. True for a peer that is already
   * connected (it may add a connection, e.g. direct WebRTC after a relayed one; the router keeps
   * one per pair), even though `accepted()` would throw `AlreadyConnectedError` for it.
   */
  canAccept(peerId: string): boolean
  /** The connection is set up: publishes `up` with the peer's protocols. Ignored unless connected. */
  ready(peerId: string, protocols: string[]): void
  /** The next peer to disconnect, marking it evicting; undefined when none. */
  tryEvictNext(): string | undefined
  /**
   * Like `tryEvictNext()` but waits until a peer should be evicted.
   *
   * @throws the signal's reason when aborted; {@link PeerManagerClosedError} when closed
   */
  evictNext(signal?: AbortSignal): Promise<string>
  /** The connection closed (for whatever reason). Publishes `down` if the peer was ready. */
  disconnected(peerId: string): void
  /** A protocol failed with the peer: queue its eviction if connected. Scores are separate. */
  errored(peerId: string, reason: unknown): void
  /** The peer is incompatible: never dial or accept it again; evict it if connected. */
  inactivate(peerId: string, reason: string): void
  /**
   * Addresses to send to `forPeerId`: ours first, then a mix biased toward well-ranked,
   * recently seen peers; never the requester's own, never banned or inactive peers.
   */
  advertise(forPeerId: string, limit: number): NodeAddress[]
  /** Replaces the addresses `advertise()` puts first (ours). Addresses of other peers are ignored. */
  setSelfAddresses(addresses: readonly NodeAddress[]): void
  /** Whether the node is below `minConnected`, or has a free dial slot but nothing to dial. */
  wantsMorePeers(): boolean
  subscribe(options?: SubscribeOptions): PeerUpdateSubscription
  /** +1 to the peer's score (saturating at `maxPeerScore`). */
  reportGood(peerId: string): void
  /** −1 to the peer's score (saturating at `minPeerScore`). */
  reportBad(peerId: string): void
  /**
   * Adds misbehaviour points (they decay by `misbehaviourDecayPerHour`); at
   * `misbehaviourBanThreshold` the peer is banned for `banTtlMs`.
   */
  misbehaved(peerId: string, points: number, reason: string): void
  /** Bans the peer for `ttlMs` (default `banTtlMs`; 0 there means forever) and evicts it. */
  ban(peerId: string, reason: string, ttlMs?: number): void
  isBanned(peerId: string): boolean
  peer(peerId: string): PeerSnapshot | undefined
  /** Every known peer, best-ranked first. */
  peers(): PeerSnapshot[]
  stats(): PeerManagerStats
  /** Resolves when every change made so far is written to the store (or failed and was counted). */
  flush(): Promise<void>
  /**
   * Stops the manager: pending `dialNext()` / `evictNext()` reject with
   * {@link PeerManagerClosedError}, subscriptions end, no timer is left; pending writes are flushed.
   */
  close(): Promise<void>
}

/** Why a dial failed, as far as the router knows. */
export interface DialFailure {
  /** The peer hung up on us within its grace window: it is full. @default false */
  refused?: boolean
}
