/**
 * The public surface of a running peermesh node, identical in Node.js and in browsers.
 * `createPeerMeshNode(init)` returns one of these. Apps (node-relay, web-demo) use only this.
 */
import type { Libp2p, TypedEventTarget } from '@libp2p/interface'

/** How a connection to a neighbour is carried. */
export type PeerTransport = 'webrtc' | 'websocket' | 'circuit' | 'tcp' | 'memory' | 'webrtc-direct'

/** What the PeerManager thinks of a peer right now. */
export type PeerState = 'connected' | 'dialing' | 'backoff' | 'banned' | 'known' | 'inactive'

/** A node's role, published in topology so that graphs can tell relays from tabs. */
export type PeerRole = 'relay' | 'node' | 'browser'

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

/** A node in the mesh graph. */
export interface TopologyNode {
  peerId: string
  role?: PeerRole
  /** Epoch ms of the last topology announcement from this node (ours: now). */
  updatedAt: number
}

/** An undirected edge of the mesh graph, reported by `from`. */
export interface TopologyEdge {
  from: string
  to: string
  transport: PeerTransport
  direction: 'inbound' | 'outbound'
  rttMs?: number
}

export interface TopologyGraph {
  self: string
  nodes: TopologyNode[]
  edges: TopologyEdge[]
}

/** A broadcast message received (or sent, with `self: true`). */
export interface BroadcastMessage {
  /** Unique id (gossipsub message id). */
  id: string
  from: string
  text: string
  /** Sender's clock, epoch ms. */
  sentAt: number
  self: boolean
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
  /** The mesh graph changed. */
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
  start(): Promise<void>
  /** Closes every connection cleanly and flushes the peer store. */
  stop(): Promise<void>
  /** Our own dialable addresses as canonical NodeAddress URLs. */
  addresses(): string[]
  peers(): PeerView[]
  topology(): TopologyGraph
  /** Publishes a chat/broadcast message to the whole mesh. */
  broadcast(text: string): Promise<void>
  /** Adds an address (NodeAddress URL or multiaddr) to the peer manager and wakes the dialer. */
  addPeer(address: string): void
  /** Waits until pending peer-store writes are on storage. */
  flush(): Promise<void>
}
