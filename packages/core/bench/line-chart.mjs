// A small SVG line chart with log-scaled axes, for the benchmark scripts (no dependencies).
// lineChart({ title, xLabel, yLabel, series: [{ name, color, dashed, points: [[x, y], …] }],
//   guides: [{ y, label }] }) → SVG text.

const WIDTH = 900
const HEIGHT = 560
const MARGIN = { left: 80, right: 250, top: 50, bottom: 60 }

function escape (text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function decades (min, max) {
  const out = []
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e)
  return out
}

function formatTick (value) {
  if (value >= 1000) return `${value / 1000}k`.replace('000k', 'M')
  return value >= 1 ? String(value) : value.toPrecision(1)
}

export function lineChart ({ title, xLabel, yLabel, series, guides = [] }) {
  const xs = series.flatMap(s => s.points.map(p => p[0]))
  const ys = series.flatMap(s => s.points.map(p => p[1])).concat(guides.map(g => g.y)).filter(y => y > 0)
  const xTicks = decades(Math.min(...xs), Math.max(...xs))
  const yTicks = decades(Math.min(...ys), Math.max(...ys))
  const [x0, x1] = [Math.log10(xTicks[0]), Math.log10(xTicks[xTicks.length - 1])]
  const [y0, y1] = [Math.log10(yTicks[0]), Math.log10(yTicks[yTicks.length - 1])]
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const px = x => MARGIN.left + (Math.log10(x) - x0) / (x1 - x0 || 1) * plotW
  const py = y => MARGIN.top + plotH - (Math.log10(y) - y0) / (y1 - y0 || 1) * plotH

  const parts = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`)
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`)
  parts.push(`<text x="${MARGIN.left}" y="28" font-size="16" font-weight="bold">${escape(title)}</text>`)
  for (const t of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`)
    parts.push(`<text x="${MARGIN.left - 8}" y="${py(t) + 4}" text-anchor="end">${formatTick(t)}</text>`)
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`)
    parts.push(`<text x="${px(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${formatTick(t)}</text>`)
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`)
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">${escape(xLabel)}</text>`)
  parts.push(`<text transform="translate(22 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`)
  for (const g of guides) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(g.y)}" y2="${py(g.y)}" stroke="#c00" stroke-dasharray="2 3"/>`)
    parts.push(`<text x="${MARGIN.left + 6}" y="${py(g.y) - 5}" fill="#c00">${escape(g.label)}</text>`)
  }
  series.forEach((s, i) => {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p[0]).toFixed(1)} ${py(p[1]).toFixed(1)}`).join(' ')
    const dash = s.dashed ? ' stroke-dasharray="7 4"' : ''
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`)
    for (const p of s.points) parts.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`)
    const ly = MARGIN.top + 10 + i * 18
    const lx = MARGIN.left + plotW + 16
    parts.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`)
    parts.push(`<text x="${lx + 32}" y="${ly + 4}">${escape(s.name)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}
