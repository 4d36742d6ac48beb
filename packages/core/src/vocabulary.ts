/**
 * The shared vocabulary of every layer (peer states, transports, roles, topology shapes): a leaf
 * module that imports nothing, so lower layers (peer manager, router, topology, sessions) never
 * import from the top-level API file `node/types.ts`, which re-exports these.
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
