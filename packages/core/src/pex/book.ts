/**
 * The narrow views of the PeerManager that the peer exchange needs. The router passes the real
 * PeerManager (or a thin adapter over it); tests pass a small in-memory book.
 */
import type { NodeAddress } from '../address/index.js'
import type { PeerManager } from '../peer-manager/index.js'

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
  /**
   * True while the node has fewer neighbours than its minimum: peer exchange then asks about once
   * a second, doubling the wait for each answer in a row that added nothing (capped at the base
   * interval), so a node that knows plenty but finds every peer full does not ask every second
   * for ever. Absent: never.
   */
  starving?(): boolean
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

/**
 * The PeerManager as the book peer exchange reads from and writes to, as a node (and the mesh
 * simulator) wires it. `minConnectedFloor`: below this many connected peers the node is
 * {@link PeerExchangeBook.starving} (relays pass 0: never). `maxPeers` 0: unlimited.
 */
export function peerManagerBook (peerManager: PeerManager, limits: { maxPeers: number, minConnectedFloor: number }): PeerExchangeBook {
  return {
    advertise: (forPeerId, limit) => peerManager.advertise(forPeerId, limit),
    add: (address, options) => peerManager.add(address, options),
    knownPeerCount: () => peerManager.stats().peers,
    starving: () => peerManager.stats().connected < limits.minConnectedFloor,
    capacity: () => limits.maxPeers > 0 ? limits.maxPeers : Number.MAX_SAFE_INTEGER,
    // connected now counts as tried: the per-source share stops counting a peer the first time it sees it connected
    status: (peerId) => {
      const peer = peerManager.peer(peerId)
      if (peer === undefined) return 'gone'
      return peer.state === 'connected' ? 'tried' : 'new'
    }
  }
}
