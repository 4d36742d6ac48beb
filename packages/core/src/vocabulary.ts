/**
 * The shared vocabulary of every layer (peer states, transports, roles, topology shapes, broadcast
 * messages, domain limits): a leaf module that imports nothing, so lower layers (peer manager,
 * router, topology, sessions, broadcast) never import from the top-level API file
 * `node/types.ts`, which re-exports these. test/layering.node.test.ts fails on an import that runs
 * up a layer or closes a cycle.
 */

/** How a connection to a neighbour is carried. */
export type PeerTransport = 'webrtc' | 'websocket' | 'circuit' | 'tcp' | 'memory' | 'webrtc-direct'

/** What the PeerManager thinks of a peer right now. */
export type PeerState = 'connected' | 'dialing' | 'backoff' | 'banned' | 'known' | 'inactive'

/** A node's role, published in topology so that graphs can tell relays from tabs. */
export type PeerRole = 'relay' | 'node' | 'browser'

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

/** At most this many addresses are stored per peer (the store, the peer manager, peer exchange). */
export const MAX_ADDRESSES_PER_PEER = 64

/** An address URL longer than this (in UTF-8 bytes) is refused everywhere. */
export const MAX_ADDRESS_URL_BYTES = 1024
