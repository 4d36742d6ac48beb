/**
 * The run's chart, as a standalone SVG written by code (never drawn by hand): components (top)
 * and minimum degree (bottom) over simulated time, with the scenario's marks. Long runs are
 * bucketed to at most 600 points per line, keeping each bucket's worst value (most components,
 * lowest minimum degree) so that no dip disappears.
 */
import type { MeshSample } from './simulation.js'

export interface ChartInput {
  title: string
  samples: readonly MeshSample[]
  marks: ReadonlyArray<{ t: number, label: string }>
  minConnected: number
}

const WIDTH = 900
const PANEL = 180
const LEFT = 60
const RIGHT = 20
const TOP = 40
const GAP = 50
const MAX_POINTS = 600

function escapeXml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function bucket (samples: readonly MeshSample[], pick: (s: MeshSample) => number, worst: (a: number, b: number) => number): Array<[number, number]> {
  if (samples.length <= MAX_POINTS) return samples.map(s => [s.t, pick(s)])
  const size = Math.ceil(samples.length / MAX_POINTS)
  const out: Array<[number, number]> = []
  for (let i = 0; i < samples.length; i += size) {
    const slice = samples.slice(i, i + size)
    out.push([(slice[0] as MeshSample).t, slice.map(pick).reduce(worst)])
  }
  return out
}

function niceMax (value: number): number {
  if (value <= 1) return 1
  const step = 10 ** Math.floor(Math.log10(value))
  for (const m of [1, 2, 5, 10]) if (m * step >= value) return m * step
  return 10 * step
}

export function renderChart (input: ChartInput): string {
  const { samples } = input
  const tMax = Math.max(1, samples.at(-1)?.t ?? 1)
  const inMinutes = tMax > 600_000
  const unit = inMinutes ? 60_000 : 1000
  const x = (t: number): number => LEFT + (WIDTH - LEFT - RIGHT) * t / tMax
  const panels = [
    { title: 'connected components', top: TOP, points: bucket(samples, s => s.components, Math.max), color: '#c0392b', floor: undefined as number | undefined },
    { title: 'minimum degree', top: TOP + PANEL + GAP, points: bucket(samples, s => s.minDegree, Math.min), color: '#2471a3', floor: input.minConnected }
  ]
  const height = TOP + 2 * PANEL + GAP + 40
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`
  ]
  for (const panel of panels) {
    const yMax = niceMax(Math.max(panel.floor ?? 0, ...panel.points.map(p => p[1])))
    const y = (v: number): number => panel.top + PANEL - PANEL * v / yMax
    parts.push(`<text x="${LEFT}" y="${panel.top - 6}" fill="${panel.color}">${panel.title}</text>`)
    parts.push(`<rect x="${LEFT}" y="${panel.top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#999"/>`)
    for (const v of [0, yMax / 2, yMax]) {
      parts.push(`<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`)
    }
    if (panel.floor !== undefined) {
      parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(panel.floor).toFixed(1)}" y2="${y(panel.floor).toFixed(1)}" stroke="#27ae60" stroke-dasharray="4 3"/>`)
      parts.push(`<text x="${WIDTH - RIGHT - 4}" y="${(y(panel.floor) - 4).toFixed(1)}" text-anchor="end" fill="#27ae60">minConnected ${panel.floor}</text>`)
    }
    if (panel.points.length > 0) {
      // a step line: each value holds until the next sample
      let d = `M${x((panel.points[0] as [number, number])[0]).toFixed(1)},${y((panel.points[0] as [number, number])[1]).toFixed(1)}`
      for (let i = 1; i < panel.points.length; i++) {
        const [t, v] = panel.points[i] as [number, number]
        d += `H${x(t).toFixed(1)}V${y(v).toFixed(1)}`
      }
      d += `H${x(tMax).toFixed(1)}`
      parts.push(`<path d="${d}" fill="none" stroke="${panel.color}" stroke-width="1.5"/>`)
    }
  }
  const bottom = TOP + 2 * PANEL + GAP
  const step = niceMax(tMax / unit / 6) * unit
  for (let t = 0; t <= tMax; t += step) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>`)
    parts.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${Math.round(t / unit)}</text>`)
  }
  parts.push(`<text x="${(LEFT + WIDTH - RIGHT) / 2}" y="${bottom + 32}" text-anchor="middle">simulated ${inMinutes ? 'minutes' : 'seconds'}</text>`)
  input.marks.forEach((mark, i) => {
    const mx = x(mark.t).toFixed(1)
    parts.push(`<line x1="${mx}" x2="${mx}" y1="${TOP}" y2="${bottom}" stroke="#7f8c8d" stroke-dasharray="2 3"/>`)
    parts.push(`<text x="${(Number(mx) + 3).toFixed(1)}" y="${TOP + 12 + 12 * (i % 3)}" fill="#7f8c8d">${escapeXml(mark.label)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
