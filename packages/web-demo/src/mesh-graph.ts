/**
 * The live mesh drawing: force-graph on a canvas, fed by `mesh-graph-model.ts`.
 *
 * Node kinds differ in colour and shape (this tab: large ringed circle; other tabs: circle;
 * Node.js peers: square; relays: diamond; unknown: small grey circle); link kinds differ in colour
 * and dash (direct WebRTC: solid green; WebSocket/TCP: solid blue; relayed: dashed orange;
 * memory: dotted grey). Structural changes hand the same node objects back to force-graph, so
 * positions are kept; style-only changes just repaint.
 *
 * Test hook: the container has `data-testid=graph`, `data-node-count`, `data-edge-count`, and
 * `data-layout` (`running` while the force simulation moves nodes, `fitting` while the view zooms
 * to fit, `settled` after).
 */
import ForceGraph from 'force-graph'
import type { TopologyGraph } from '@peermesh/core'
import { candidatePairLabel, type CandidatePairs } from './candidate-types.js'
import { createMeshGraphModel } from './mesh-graph-model.js'
import type { MeshLink, MeshLinkKind, MeshNode, MeshNodeKind } from './mesh-graph-model.js'

/** Colours shared by the canvas and the legend (see style.css), chosen for contrast on white. */
export const NODE_COLOURS: Record<MeshNodeKind, string> = {
  self: '#6d28d9',
  browser: '#0f766e',
  node: '#b45309',
  relay: '#be123c',
  unknown: '#6b7280'
}

export const LINK_STYLES: Record<MeshLinkKind, { colour: string, dash: number[] | null, width: number }> = {
  webrtc: { colour: '#15803d', dash: null, width: 2.5 },
  websocket: { colour: '#1d4ed8', dash: null, width: 1.5 },
  relayed: { colour: '#c2410c', dash: [6, 4], width: 1.5 },
  memory: { colour: '#6b7280', dash: [2, 3], width: 1.5 }
}

/** Layout: link length and node repulsion, in graph units. */
const LINK_DISTANCE = 70
const CHARGE_STRENGTH = -220

/** Fit-to-view: margin around the peers (graph units), closest zoom, animation time. */
const FIT_PADDING_PX = 30
const MAX_FIT_ZOOM = 2.5
const FIT_DURATION_MS = 300

const NODE_RADIUS: Record<MeshNodeKind, number> = { self: 8, browser: 6, node: 6, relay: 7, unknown: 4 }

export interface MeshGraphView {
  update: (graph: TopologyGraph) => void
  /** The ICE candidate pairs of this tab's direct links, shown in their labels. */
  setCandidatePairs: (pairs: CandidatePairs) => void
  destroy: () => void
}

export function createMeshGraph (container: HTMLElement): MeshGraphView {
  const model = createMeshGraphModel()
  const canvasHost = document.createElement('div')
  canvasHost.className = 'graph-canvas'
  container.append(canvasHost)

  let candidatePairs: CandidatePairs = new Map()
  let selfId: string | undefined
  /** ` (srflx ↔ srflx)` for a link of this tab whose candidate pair is known. */
  const candidateSuffix = (link: MeshLink): string => {
    const ends = [typeof link.source === 'string' ? link.source : link.source.id, typeof link.target === 'string' ? link.target : link.target.id]
    if (selfId === undefined || !ends.includes(selfId)) return ''
    const other = ends[0] === selfId ? ends[1] : ends[0]
    const pair = other === undefined ? undefined : candidatePairs.get(other)
    return pair === undefined ? '' : ` (${candidatePairLabel(pair)})`
  }

  const graph = new ForceGraph<MeshNode, MeshLink>(canvasHost)
    .backgroundColor('#ffffff')
    .nodeId('id')
    .nodeLabel((node) => `${describeKind(node.kind)} ${node.id}`)
    .nodeCanvasObject(drawNode)
    .nodePointerAreaPaint((node, colour, ctx) => {
      ctx.fillStyle = colour
      ctx.beginPath()
      ctx.arc(node.x ?? 0, node.y ?? 0, NODE_RADIUS[node.kind] + 2, 0, 2 * Math.PI)
      ctx.fill()
    })
    .linkColor((link) => LINK_STYLES[link.kind].colour)
    .linkLineDash((link) => LINK_STYLES[link.kind].dash)
    .linkWidth((link) => LINK_STYLES[link.kind].width)
    .linkLabel((link) => `${link.transport}${candidateSuffix(link)}${link.rttMs === undefined ? '' : `, ${Math.round(link.rttMs)} ms`}`)
    .cooldownTime(4000)
    .graphData({ nodes: [], links: [] })

  // Longer links and a stronger repulsion than d3's defaults (30, -30): a mesh is dense, and
  // its nodes carry labels.
  graph.d3Force('link')?.distance(LINK_DISTANCE)
  graph.d3Force('charge')?.strength(CHARGE_STRENGTH)

  const resize = (): void => {
    const { width, height } = canvasHost.getBoundingClientRect()
    if (width > 0 && height > 0) graph.width(width).height(height)
  }
  const observer = new ResizeObserver(resize)
  observer.observe(canvasHost)
  resize()

  // The view follows the mesh (zoom to fit whenever the layout settles) until the person pans,
  // zooms or drags; from then on it stays where they put it.
  let userMovedView = false
  for (const type of ['wheel', 'pointerdown', 'touchstart'] as const) {
    canvasHost.addEventListener(type, () => { userMovedView = true }, { passive: true, once: true })
  }
  /** Like zoomToFit, but never closer than MAX_FIT_ZOOM: a few peers should not fill the canvas. */
  const fitToView = (): void => {
    if (model.nodes().length === 0) return
    const box = graph.getGraphBbox()
    const [minX, maxX] = box.x
    const [minY, maxY] = box.y
    const zoom = Math.min(
      graph.width() / (maxX - minX + 2 * FIT_PADDING_PX),
      graph.height() / (maxY - minY + 2 * FIT_PADDING_PX),
      MAX_FIT_ZOOM
    )
    graph.centerAt((minX + maxX) / 2, (minY + maxY) / 2, FIT_DURATION_MS)
    graph.zoom(zoom, FIT_DURATION_MS)
  }
  container.dataset.layout = 'settled'
  // 'settled' once the simulation has stopped and the fit animation is over, so that a picture
  // taken then shows the final view.
  let settleTimer: ReturnType<typeof setTimeout> | undefined
  graph.onEngineStop(() => {
    if (userMovedView) {
      container.dataset.layout = 'settled'
      return
    }
    fitToView()
    clearTimeout(settleTimer)
    settleTimer = setTimeout(() => {
      if (container.dataset.layout === 'fitting') container.dataset.layout = 'settled'
    }, FIT_DURATION_MS)
    container.dataset.layout = 'fitting'
  })

  return {
    setCandidatePairs (pairs) {
      candidatePairs = pairs
      graph.linkLabel(graph.linkLabel())
    },
    update (topology) {
      selfId = topology.self
      const change = model.apply(topology)
      const nodes = model.nodes()
      const links = model.links()
      container.dataset.nodeCount = String(nodes.length)
      container.dataset.edgeCount = String(links.length)
      container.setAttribute('aria-label', `Mesh graph: ${nodes.length} peers, ${links.length} connections`)
      if (change.structureChanged) {
        container.dataset.layout = 'running'
        graph.graphData({ nodes, links })
      } else if (change.styleChanged) {
        // Same data, new colours or labels: a repaint without reheating the simulation.
        graph.linkColor(graph.linkColor())
      }
    },
    destroy () {
      clearTimeout(settleTimer)
      observer.disconnect()
      graph._destructor()
    }
  }
}

export function describeKind (kind: MeshNodeKind): string {
  switch (kind) {
    case 'self': return 'This tab'
    case 'browser': return 'Browser tab'
    case 'node': return 'Node.js peer'
    case 'relay': return 'Relay'
    case 'unknown': return 'Peer'
  }
}

function drawNode (node: MeshNode, ctx: CanvasRenderingContext2D, globalScale: number): void {
  const x = node.x ?? 0
  const y = node.y ?? 0
  const r = NODE_RADIUS[node.kind]
  ctx.fillStyle = NODE_COLOURS[node.kind]
  ctx.beginPath()
  switch (node.kind) {
    case 'node':
      ctx.rect(x - r, y - r, 2 * r, 2 * r)
      break
    case 'relay':
      ctx.moveTo(x, y - r * 1.3)
      ctx.lineTo(x + r * 1.3, y)
      ctx.lineTo(x, y + r * 1.3)
      ctx.lineTo(x - r * 1.3, y)
      ctx.closePath()
      break
    default:
      ctx.arc(x, y, r, 0, 2 * Math.PI)
  }
  ctx.fill()
  if (node.kind === 'self') {
    ctx.strokeStyle = NODE_COLOURS.self
    ctx.lineWidth = 2 / globalScale
    ctx.beginPath()
    ctx.arc(x, y, r + 3, 0, 2 * Math.PI)
    ctx.stroke()
  }
  const fontSize = Math.max(10 / globalScale, 2)
  ctx.font = `${fontSize}px system-ui, sans-serif`
  ctx.textAlign = 'center'
  ctx.textBaseline = 'top'
  ctx.fillStyle = '#111827'
  ctx.fillText(node.label, x, y + r * 1.3 + 2)
}
