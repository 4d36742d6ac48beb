/**
 * The narrow views of the PeerManager that the peer exchange needs. The router passes the real
 * PeerManager (or a thin adapter over it); tests pass a small in-memory book.
 */
import type { NodeAddress } from '../address/index.js'

/** Where peer exchange reads the addresses it advertises and puts the addresses it learns. */
export interface PeerExchangeBook {
  /**
   * Up to `limit` addresses worth telling `forPeerId` about: our own first, never the
   * requester's own, biased toward good peers. The peer exchange filters and caps again anyway.
   */
  advertise(forPeerId: string, limit: number): NodeAddress[]
  /**
   * Stores an address learned from a peer. Returns true when it was new and kept, false when it
   * was already known or refused (self, banned, full, a verified address it must not overwrite…).
   */
  add(address: NodeAddress, options: { source: 'gossip' }): boolean
  /** Peers the book knows now (drives the adaptive request interval). */
  knownPeerCount(): number
  /** Peers the book can hold; 0 means unlimited. */
  capacity(): number
  /**
   * What the book says of a peer peer exchange added: `new` (held, never connected), `tried`
   * (connected at least once, or now) or `gone` (no longer held). Lets the per-source share
   * forget peers that left; without it they leave the share only by age.
   */
  status?(peerId: string): 'new' | 'tried' | 'gone'
}

/** Where peer exchange reports protocol violations (the PeerManager scores and bans). */
export interface PeerExchangeReporter {
  /**
   * `peerId` broke the protocol; `points` follow dash-spv's scale (a ban at 100), `reason` is a
   * short machine-readable tag such as `pex/unsolicited-message`.
   */
  misbehaved(peerId: string, points: number, reason: string): void
}
