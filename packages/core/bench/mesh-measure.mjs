// What the mesh benchmarks (mesh.bench.mjs, side-by-side.bench.mjs) measure on a network of real
// libp2p nodes in one process: bytes sent on raw connections, and the shape of a connection graph
// (components, nodes without a peer, degrees). The graph is a Map from a peer ID to the set of
// peer IDs it is connected to, so the same summary reads peermesh's neighbours and plain libp2p
// connections.

/** A libp2p metrics object that only counts bytes sent on raw connections (like prometheus-metrics' `global sent`). */
export function byteCounter () {
  const counter = { sent: 0 }
  const noop = new Proxy(() => {}, { get: (_t, key) => key === 'then' ? undefined : () => noop })
  const factory = () => ({
    trackMultiaddrConnection (maConn) {
      const send = maConn.send.bind(maConn)
      maConn.send = (buf) => { counter.sent += buf.byteLength; return send(buf) }
    },
    trackProtocolStream () {},
    registerMetric: () => noop,
    registerMetricGroup: () => noop,
    registerCounter: () => noop,
    registerCounterGroup: () => noop,
    registerHistogram: () => noop,
    registerHistogramGroup: () => noop,
    registerSummary: () => noop,
    registerSummaryGroup: () => noop,
    traceFunction: (_name, fn) => fn,
    createTrace: () => undefined
  })
  return { counter, factory }
}

/** Connected components of `adjacency` (Map<peerId, Set<peerId>>), largest first, as sizes. */
export function componentSizes (adjacency) {
  const seen = new Set()
  const sizes = []
  for (const start of adjacency.keys()) {
    if (seen.has(start)) continue
    let size = 0
    const stack = [start]
    seen.add(start)
    while (stack.length > 0) {
      const id = stack.pop()
      size++
      for (const next of adjacency.get(id) ?? []) {
        if (!seen.has(next)) {
          seen.add(next)
          stack.push(next)
        }
      }
    }
    sizes.push(size)
  }
  return sizes.sort((a, b) => b - a)
}

/** One component, every node with at least `min` peers. */
export function isSettled (adjacency, min) {
  return componentSizes(adjacency).length === 1 && [...adjacency.values()].every(peers => peers.size >= min)
}

/** Components, nodes below `min`, nodes without a peer, degrees (min, mean, max, histogram). */
export function graphSummary (adjacency, min) {
  const comps = componentSizes(adjacency)
  const degrees = [...adjacency.values()].map(peers => peers.size)
  const histogram = {}
  for (const d of degrees) histogram[d] = (histogram[d] ?? 0) + 1
  return {
    components: comps.length,
    largest: comps[0] ?? 0,
    isolated: degrees.filter(d => d === 0).length,
    belowMin: degrees.filter(d => d < min).length,
    minDegree: degrees.length === 0 ? 0 : Math.min(...degrees),
    meanDegree: degrees.length === 0 ? 0 : +(degrees.reduce((a, b) => a + b, 0) / degrees.length).toFixed(2),
    maxDegree: degrees.length === 0 ? 0 : Math.max(...degrees),
    histogram
  }
}

/** `histogram` as `degree:count` pairs, for a table cell. */
export function formatHistogram (histogram) {
  return Object.entries(histogram).map(([d, c]) => `${d}:${c}`).join(' ')
}
