/**
 * The public surface of a running peermesh node, identical in Node.js and in browsers.
 * `createPeerMeshNode(init)` returns one of these. Apps (node-relay, web-demo) use only this.
 */
import type { AbortOptions, Libp2p, TypedEventTarget } from '@libp2p/interface'

import type { BroadcastMessage, PeerRole, PeerState, PeerTransport, TopologyGraph } from '../vocabulary.js'

export type { BroadcastMessage, PeerRole, PeerState, PeerTransport, TopologyEdge, TopologyGraph, TopologyNode } from '../vocabulary.js'

/** One row of `node.peers()`: everything the UI and `/api/peers` show about a peer. */
export interface PeerView {
  peerId: string
  state: PeerState
  /** Canonical NodeAddress URLs known for this peer. */
  addresses: string[]
  /** Set while connected. */
  transport?: PeerTransport
  direction?: 'inbound' | 'outbound'
  score: number
  /** Last heartbeat round trip, ms. */
  rttMs?: number
  /** Epoch ms when the current connection opened. */
  connectedSince?: number
  /** Epoch ms until which a backoff or ban lasts. */
  until?: number
  /**
   * The last direct WebRTC dial to this peer failed (and no direct link has been up since): ICE
   * found no working candidate pair, or the dial timed out. A page shows why it has no direct link.
   */
  directFailure?: { at: number, error: string }
}

/** A line for an event log. */
export interface NodeLogEvent {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
  at: number
}

export interface PeerMeshNodeEvents {
  /** The peer list changed (state, transport, score, RTT…): at once after a quiet spell, then at most every 100 ms. */
  'peers:change': CustomEvent<PeerView[]>
  /** The mesh graph changed (changes within 100 ms are coalesced into one event). */
  'topology:change': CustomEvent<TopologyGraph>
  /** A broadcast message arrived (or was sent by us). */
  'broadcast:message': CustomEvent<BroadcastMessage>
  /** Our own dialable addresses changed (e.g. a new relay reservation). */
  'addresses:change': CustomEvent<string[]>
  'log': CustomEvent<NodeLogEvent>
}

export interface PeerMeshNode extends TypedEventTarget<PeerMeshNodeEvents> {
  readonly peerId: string
  readonly role: PeerRole
  /** The underlying libp2p node, for advanced use. */
  readonly libp2p: Libp2p
  /**
   * Starts the node. With an aborted `signal` (before or while it starts) the node is stopped and
   * the call rejects with the signal's reason.
   *
   * @throws {NodeStoppedError} after `stop()`: create a new node instead
   */
  start(options?: AbortOptions): Promise<void>
  /**
   * Stops the node for good: says goodbye, closes every connection and flushes the peer store.
   * Once `signal` aborts the call rejects with its reason; the stop itself carries on (a later
   * `stop()` waits for it).
   */
  stop(options?: AbortOptions): Promise<void>
  /** Our own dialable addresses as canonical NodeAddress URLs. */
  addresses(): string[]
  peers(): PeerView[]
  topology(): TopologyGraph
  /** Publishes a chat/broadcast message to the whole mesh; nothing is sent if `signal` has already aborted. */
  broadcast(text: string, options?: AbortOptions): Promise<void>
  /** Adds an address (NodeAddress URL or multiaddr) to the peer manager and wakes the dialer. */
  addPeer(address: string): void
  /** Waits until pending peer-store writes are on storage (or `signal` aborts; the writes go on). */
  flush(options?: AbortOptions): Promise<void>
}
