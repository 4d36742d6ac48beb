// Runs in real Chromium: force-graph on a real canvas, driven by topology updates.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TopologyGraph } from '@peermesh/core'
import { createMeshGraph } from '../src/mesh-graph.js'
import type { MeshGraphView } from '../src/mesh-graph.js'

const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelf111111'
const RELAY = '12D3KooWRelayRelayRelayRelayRelayRelayRelay333333'
const TAB = '12D3KooWTabTabTabTabTabTabTabTabTabTabTabTab222222'

function topology (withTab: boolean): TopologyGraph {
  return {
    self: SELF,
    nodes: [
      { peerId: SELF, role: 'browser', updatedAt: 1 },
      { peerId: RELAY, role: 'relay', updatedAt: 1 },
      ...(withTab ? [{ peerId: TAB, role: 'browser' as const, updatedAt: 1 }] : [])
    ],
    edges: [
      { from: SELF, to: RELAY, transport: 'websocket', direction: 'outbound' },
      ...(withTab
        ? [
            { from: TAB, to: RELAY, transport: 'websocket' as const, direction: 'outbound' as const },
            { from: SELF, to: TAB, transport: 'webrtc' as const, direction: 'outbound' as const },
            { from: TAB, to: SELF, transport: 'webrtc' as const, direction: 'inbound' as const }
          ]
        : [])
    ]
  }
}

describe('MeshGraph (Chromium)', () => {
  let container: HTMLElement
  let view: MeshGraphView | undefined

  beforeEach(() => {
    document.body.innerHTML = '<div data-testid="graph" style="position: relative; width: 600px; height: 400px"></div>'
    container = document.querySelector('[data-testid=graph]') as HTMLElement
  })

  afterEach(() => {
    view?.destroy()
    view = undefined
  })

  it('draws on a canvas and states its node and edge counts', () => {
    view = createMeshGraph(container)
    view.update(topology(true))
    expect(container.querySelector('canvas')).not.toBeNull()
    expect(container.dataset.nodeCount).toBe('3')
    expect(container.dataset.edgeCount).toBe('3')
    expect(container.getAttribute('aria-label')).toBe('Mesh graph: 3 peers, 3 connections')
  })

  it('follows peers leaving and coming back', () => {
    view = createMeshGraph(container)
    view.update(topology(true))
    view.update(topology(false))
    expect(container.dataset).toMatchObject({ nodeCount: '2', edgeCount: '1' })
    view.update(topology(true))
    expect(container.dataset).toMatchObject({ nodeCount: '3', edgeCount: '3' })
  })

  it('says when the layout runs and when it has settled', async () => {
    view = createMeshGraph(container)
    view.update(topology(true))
    expect(container.dataset.layout).toBe('running')
    await expect.poll(() => container.dataset.layout, { timeout: 10_000 }).toBe('settled')
  })

  it('keeps the layout settled when only an RTT changes', async () => {
    view = createMeshGraph(container)
    view.update(topology(true))
    await expect.poll(() => container.dataset.layout, { timeout: 10_000 }).toBe('settled')
    const withRtt = topology(true)
    withRtt.edges = withRtt.edges.map((edge) => ({ ...edge, rttMs: 3 }))
    view.update(withRtt)
    expect(container.dataset.layout).toBe('settled')
  })
})
