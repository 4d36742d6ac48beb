import { describe, expect, it } from 'vitest'
import type { TopologyEdge, TopologyGraph, TopologyNode } from '@peermesh/core'
import { createMeshGraphModel, linkId, linkKindOf, MESH_GRAPH_LIMITS, shortPeerId } from '../src/mesh-graph-model.js'
import type { MeshNode } from '../src/mesh-graph-model.js'

const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelf111111'
const TAB = '12D3KooWTabTabTabTabTabTabTabTabTabTabTabTab222222'
const RELAY = '12D3KooWRelayRelayRelayRelayRelayRelayRelay333333'
const NODE = '12D3KooWNodeNodeNodeNodeNodeNodeNodeNodeNode444444'

function node (peerId: string, role?: TopologyNode['role']): TopologyNode {
  return role === undefined ? { peerId, updatedAt: 1 } : { peerId, role, updatedAt: 1 }
}

function edge (from: string, to: string, transport: TopologyEdge['transport'], rttMs?: number): TopologyEdge {
  return { from, to, transport, direction: 'outbound', ...(rttMs === undefined ? {} : { rttMs }) }
}

function topology (nodes: TopologyNode[], edges: TopologyEdge[]): TopologyGraph {
  return { self: SELF, nodes, edges }
}

const star = topology(
  [node(SELF, 'browser'), node(RELAY, 'relay'), node(TAB, 'browser')],
  [edge(SELF, RELAY, 'websocket'), edge(TAB, RELAY, 'websocket'), edge(SELF, TAB, 'webrtc', 2)]
)

describe('MeshGraphModel', () => {
  describe('apply', () => {
    it('draws our own peer as self and the others by their role', () => {
      const model = createMeshGraphModel()
      model.apply(star)
      const kinds = Object.fromEntries(model.nodes().map((n) => [n.id, n.kind]))
      expect(kinds).toEqual({ [SELF]: 'self', [RELAY]: 'relay', [TAB]: 'browser' })
    })

    it('shows only our own node for an empty topology', () => {
      const model = createMeshGraphModel()
      const change = model.apply(topology([], []))
      expect(model.nodes().map((n) => n.id)).toEqual([SELF])
      expect(model.links()).toEqual([])
      expect(change.structureChanged).toBe(true)
    })

    it('keeps the same node objects, and so their positions, across updates', () => {
      const model = createMeshGraphModel()
      model.apply(star)
      const relay = model.nodes().find((n) => n.id === RELAY) as MeshNode
      relay.x = 120
      relay.y = -40
      model.apply(topology([...star.nodes, node(NODE, 'node')], [...star.edges, edge(NODE, RELAY, 'websocket')]))
      const again = model.nodes().find((n) => n.id === RELAY)
      expect(again).toBe(relay)
      expect(again).toMatchObject({ x: 120, y: -40 })
    })

    it('reports no structural change when the same topology arrives again', () => {
      const model = createMeshGraphModel()
      model.apply(star)
      const change = model.apply(structuredClone(star))
      expect(change).toEqual({ structureChanged: false, styleChanged: false, addedNodes: [], removedNodes: [] })
    })

    it('reports a style-only change when just an RTT or a transport changes', () => {
      const model = createMeshGraphModel()
      model.apply(star)
      const change = model.apply(topology(star.nodes, [edge(SELF, RELAY, 'websocket'), edge(TAB, RELAY, 'websocket'), edge(SELF, TAB, 'webrtc', 9)]))
      expect(change.structureChanged).toBe(false)
      expect(change.styleChanged).toBe(true)
      expect(model.links().find((l) => l.id === linkId(SELF, TAB))?.rttMs).toBe(9)
    })

    it('removes a peer that left together with its links', () => {
      const model = createMeshGraphModel()
      model.apply(star)
      const change = model.apply(topology([node(SELF, 'browser'), node(RELAY, 'relay')], [edge(SELF, RELAY, 'websocket')]))
      expect(change.removedNodes).toEqual([TAB])
      expect(model.nodes().map((n) => n.id).sort()).toEqual([RELAY, SELF].sort())
      expect(model.links().map((l) => l.id)).toEqual([linkId(SELF, RELAY)])
    })

    it('draws one link per pair when both ends report their connection', () => {
      const model = createMeshGraphModel()
      model.apply(topology(star.nodes, [edge(SELF, TAB, 'webrtc'), edge(TAB, SELF, 'webrtc')]))
      expect(model.links()).toHaveLength(1)
    })

    it('prefers the direct transport when the two ends report different ones', () => {
      const model = createMeshGraphModel()
      model.apply(topology(star.nodes, [edge(TAB, SELF, 'circuit'), edge(SELF, TAB, 'webrtc')]))
      expect(model.links()[0]).toMatchObject({ transport: 'webrtc', kind: 'webrtc' })
    })

    it('adds peers that appear only as an edge end, as unknown, until their role is known', () => {
      const model = createMeshGraphModel()
      model.apply(topology([node(SELF)], [edge(SELF, NODE, 'webrtc')]))
      expect(model.nodes().find((n) => n.id === NODE)?.kind).toBe('unknown')
      const change = model.apply(topology([node(SELF), node(NODE, 'node')], [edge(SELF, NODE, 'webrtc')]))
      expect(model.nodes().find((n) => n.id === NODE)?.kind).toBe('node')
      expect(change).toMatchObject({ structureChanged: false, styleChanged: true })
    })

    it('ignores self-loops', () => {
      const model = createMeshGraphModel()
      model.apply(topology([node(SELF)], [edge(SELF, SELF, 'memory')]))
      expect(model.links()).toEqual([])
    })

    it('places a newcomer next to a neighbour that already has a position', () => {
      const model = createMeshGraphModel()
      model.apply(topology([node(RELAY, 'relay')], [edge(SELF, RELAY, 'websocket')]))
      const relay = model.nodes().find((n) => n.id === RELAY) as MeshNode
      relay.x = 500
      relay.y = 500
      model.apply(topology([node(RELAY, 'relay'), node(TAB, 'browser')], [edge(SELF, RELAY, 'websocket'), edge(TAB, RELAY, 'websocket')]))
      const tab = model.nodes().find((n) => n.id === TAB) as MeshNode
      expect(Math.hypot((tab.x ?? 0) - 500, (tab.y ?? 0) - 500)).toBeCloseTo(30)
    })

    it('caps the number of nodes drawn from a hostile topology', () => {
      const model = createMeshGraphModel()
      const many = Array.from({ length: MESH_GRAPH_LIMITS.maxNodes + 100 }, (_, i) => node(`peer-${i}`, 'browser'))
      model.apply(topology(many, many.map((n) => edge(SELF, n.peerId, 'webrtc'))))
      expect(model.nodes()).toHaveLength(MESH_GRAPH_LIMITS.maxNodes)
      expect(model.links().length).toBeLessThan(MESH_GRAPH_LIMITS.maxNodes)
    })
  })

  describe('linkKindOf', () => {
    it.each([
      ['webrtc', 'webrtc'],
      ['webrtc-direct', 'webrtc'],
      ['websocket', 'websocket'],
      ['tcp', 'websocket'],
      ['circuit', 'relayed'],
      ['memory', 'memory']
    ] as const)('draws a %s connection as a %s link', (transport, kind) => {
      expect(linkKindOf(transport)).toBe(kind)
    })
  })

  describe('shortPeerId', () => {
    it('keeps the distinctive tail of a long peer ID', () => {
      expect(shortPeerId(TAB)).toBe('…222222')
    })

    it('leaves short IDs alone', () => {
      expect(shortPeerId('abc')).toBe('abc')
    })
  })
})
