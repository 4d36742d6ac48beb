/**
 * The data behind the mesh drawing: turns each `TopologyGraph` from the node into force-graph
 * nodes and links by diffing, so that existing nodes keep their objects (and with them their
 * positions and velocities) and the layout does not restart when one peer comes or goes.
 *
 * No DOM here; `mesh-graph.ts` draws what this model holds.
 */
import type { PeerTransport, TopologyGraph } from '@peermesh/core'

/** How a node is drawn: this tab, other tabs, Node.js peers, relays, or a peer of unknown role. */
export type MeshNodeKind = 'self' | 'browser' | 'node' | 'relay' | 'unknown'

/** How an edge is drawn: direct WebRTC, a WebSocket/TCP stream, relayed through a circuit, in-memory. */
export type MeshLinkKind = 'webrtc' | 'websocket' | 'relayed' | 'memory'

export interface MeshNode {
  /** The peer ID. */
  id: string
  kind: MeshNodeKind
  /** Short label drawn next to the node. */
  label: string
  // Written by the force simulation; kept across updates.
  x?: number
  y?: number
  vx?: number
  vy?: number
  fx?: number
  fy?: number
}

export interface MeshLink {
  /** `<smaller peer ID> <larger peer ID>`: one link per pair, whoever reports it. */
  id: string
  /** A peer ID until force-graph replaces it with the node object. */
  source: string | MeshNode
  target: string | MeshNode
  kind: MeshLinkKind
  transport: PeerTransport
  rttMs?: number
}

/** What one `apply()` did. */
export interface MeshGraphUpdate {
  /** Nodes or links were added or removed: the drawing needs new graph data. */
  structureChanged: boolean
  /** Only kinds, labels, transports or RTTs changed: a repaint is enough. */
  styleChanged: boolean
  addedNodes: string[]
  removedNodes: string[]
}

export interface MeshGraphModel {
  /** Brings the model in line with `graph`; existing node objects are kept. */
  apply: (graph: TopologyGraph) => MeshGraphUpdate
  nodes: () => MeshNode[]
  links: () => MeshLink[]
}

/** Bounds on what is drawn, in one place (the topology comes from the network). */
export const MESH_GRAPH_LIMITS = {
  maxNodes: 512,
  maxLinks: 4096
} as const

/** A short, readable form of a peer ID: its last six characters (the prefix is the same for all). */
export function shortPeerId (peerId: string): string {
  return peerId.length > 10 ? `…${peerId.slice(-6)}` : peerId
}

/** The link kind a transport is drawn as. */
export function linkKindOf (transport: PeerTransport): MeshLinkKind {
  switch (transport) {
    case 'webrtc':
    case 'webrtc-direct':
      return 'webrtc'
    case 'websocket':
    case 'tcp':
      return 'websocket'
    case 'circuit':
      return 'relayed'
    case 'memory':
      return 'memory'
  }
}

/** When two ends report different transports for one pair, the more direct one is drawn. */
const LINK_KIND_RANK: Record<MeshLinkKind, number> = { webrtc: 0, websocket: 1, memory: 2, relayed: 3 }

/** The canonical id of the undirected link between `a` and `b`. */
export function linkId (a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`
}

export function createMeshGraphModel (): MeshGraphModel {
  const nodes = new Map<string, MeshNode>()
  const links = new Map<string, MeshLink>()

  function apply (graph: TopologyGraph): MeshGraphUpdate {
    // What the graph should hold now.
    const wantedNodes = new Map<string, MeshNodeKind>()
    const addWanted = (peerId: string, kind: MeshNodeKind): boolean => {
      if (wantedNodes.has(peerId)) {
        if (kind !== 'unknown' && wantedNodes.get(peerId) === 'unknown') wantedNodes.set(peerId, kind)
        return true
      }
      if (wantedNodes.size >= MESH_GRAPH_LIMITS.maxNodes) return false
      wantedNodes.set(peerId, kind)
      return true
    }
    addWanted(graph.self, 'self')
    for (const node of graph.nodes) {
      if (node.peerId === graph.self) continue
      addWanted(node.peerId, node.role ?? 'unknown')
    }
    const wantedLinks = new Map<string, { from: string, to: string, transport: PeerTransport, rttMs?: number }>()
    for (const edge of graph.edges) {
      if (edge.from === edge.to) continue
      const id = linkId(edge.from, edge.to)
      const existing = wantedLinks.get(id)
      if (existing !== undefined) {
        if (LINK_KIND_RANK[linkKindOf(edge.transport)] < LINK_KIND_RANK[linkKindOf(existing.transport)]) {
          existing.transport = edge.transport
        }
        if (existing.rttMs === undefined && edge.rttMs !== undefined) existing.rttMs = edge.rttMs
        continue
      }
      if (wantedLinks.size >= MESH_GRAPH_LIMITS.maxLinks) continue
      if (!addWanted(edge.from, 'unknown') || !addWanted(edge.to, 'unknown')) continue
      wantedLinks.set(id, { from: edge.from, to: edge.to, transport: edge.transport, ...(edge.rttMs === undefined ? {} : { rttMs: edge.rttMs }) })
    }

    let structureChanged = false
    let styleChanged = false
    const addedNodes: string[] = []
    const removedNodes: string[] = []

    for (const id of [...nodes.keys()]) {
      if (!wantedNodes.has(id)) {
        nodes.delete(id)
        removedNodes.push(id)
        structureChanged = true
      }
    }
    for (const [id, kind] of wantedNodes) {
      const existing = nodes.get(id)
      if (existing === undefined) {
        nodes.set(id, { id, kind, label: kind === 'self' ? 'this tab' : shortPeerId(id) })
        addedNodes.push(id)
        structureChanged = true
      } else if (existing.kind !== kind) {
        existing.kind = kind
        existing.label = kind === 'self' ? 'this tab' : shortPeerId(id)
        styleChanged = true
      }
    }

    for (const id of [...links.keys()]) {
      if (!wantedLinks.has(id)) {
        links.delete(id)
        structureChanged = true
      }
    }
    for (const [id, wanted] of wantedLinks) {
      const existing = links.get(id)
      const kind = linkKindOf(wanted.transport)
      if (existing === undefined) {
        const link: MeshLink = { id, source: wanted.from, target: wanted.to, kind, transport: wanted.transport }
        if (wanted.rttMs !== undefined) link.rttMs = wanted.rttMs
        links.set(id, link)
        structureChanged = true
      } else {
        if (existing.transport !== wanted.transport || existing.kind !== kind) {
          existing.transport = wanted.transport
          existing.kind = kind
          styleChanged = true
        }
        if (existing.rttMs !== wanted.rttMs) {
          if (wanted.rttMs === undefined) delete existing.rttMs
          else existing.rttMs = wanted.rttMs
          styleChanged = true
        }
      }
    }

    // A newcomer starts next to a neighbour that already has a position, not at the origin.
    for (const id of addedNodes) placeNearNeighbour(id)

    return { structureChanged, styleChanged, addedNodes, removedNodes }
  }

  function endpointId (end: string | MeshNode): string {
    return typeof end === 'string' ? end : end.id
  }

  function placeNearNeighbour (id: string): void {
    const node = nodes.get(id)
    if (node === undefined) return
    for (const link of links.values()) {
      const a = endpointId(link.source)
      const b = endpointId(link.target)
      const neighbourId = a === id ? b : b === id ? a : undefined
      if (neighbourId === undefined) continue
      const neighbour = nodes.get(neighbourId)
      if (neighbour?.x === undefined || neighbour.y === undefined) continue
      const angle = hashAngle(id)
      node.x = neighbour.x + 30 * Math.cos(angle)
      node.y = neighbour.y + 30 * Math.sin(angle)
      return
    }
  }

  return {
    apply,
    nodes: () => [...nodes.values()],
    links: () => [...links.values()]
  }
}

/** A stable angle per peer ID, so newcomers fan out around a neighbour without randomness. */
function hashAngle (id: string): number {
  let hash = 0
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0
  return (hash % 360) * Math.PI / 180
}
