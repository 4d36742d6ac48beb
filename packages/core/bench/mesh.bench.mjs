#!/usr/bin/env node
// Mesh formation with real libp2p nodes over the memory transport, in one process, against the
// built package (dist/). Every node, the bootstrap included, has the same limits unless a case
// says otherwise; everyone bootstraps from node 0. Per case: time until one component with every
// node ≥ minConnected (or the state at the ceiling), peer-exchange requests and dials per node,
// bytes sent per node, the degree histogram; then every 4th node (node 0 included) stops and the
// time until the rest are one component again with every node ≥ minConnected.
//
// Run: `npm run bench:mesh -w @peermesh/core` (builds first). Options:
//   --nodes 100 --cases ordinary,40,60,generous --ceiling 120 --runs 1 --json out.json
// PEERMESH_CORE_DIST=/path/to/dist runs the same cases against another build (e.g. main's).
// docs/BENCHMARKS.md quotes one run; the machine is shared, so compare figures of one run.
import '../../../scripts/node20-polyfills.js'
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { byteCounter, formatHistogram, graphSummary, isSettled } from './mesh-measure.mjs'

const dist = process.env.PEERMESH_CORE_DIST != null ? pathToFileURL(resolve(process.env.PEERMESH_CORE_DIST)).href : new URL('../dist', import.meta.url).href
await import(`${dist}/shims/node.js`)
const { createTestNetwork } = await import(`${dist}/testing/index.js`)

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    cases: { type: 'string', default: 'ordinary' },
    ceiling: { type: 'string', default: '120' },
    runs: { type: 'string', default: '1' },
    json: { type: 'string' }
  }
})

const member = { minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1 }
const ceilingMs = Number(args.ceiling) * 1000

/**
 * The cases of issue 11: an ordinary bootstrap (N nodes, and the 12 nodes the core benchmark
 * used to run with a 20-slot bootstrap), 40 ordinary, 60 with a 20-slot bootstrap, and the old
 * convergence test's 21 nodes with a 30-slot bootstrap.
 */
const CASES = {
  ordinary: { nodes: Number(args.nodes), bootstrap: member },
  12: { nodes: 12, bootstrap: member },
  40: { nodes: 40, bootstrap: member },
  60: { nodes: 60, bootstrap: { ...member, maxConnected: 20 } },
  generous: { nodes: 21, bootstrap: { ...member, maxConnected: 30 } }
}

async function waitState (net, predicate) {
  const started = performance.now()
  try {
    await net.waitFor(predicate, { timeoutMs: ceilingMs })
    return { reached: true, ms: Math.round(performance.now() - started) }
  } catch {
    return { reached: false, ms: Math.round(performance.now() - started) }
  }
}

function summary (net) {
  return graphSummary(net.adjacency(), member.minConnected)
}

async function runCase (name, spec) {
  const bytes = byteCounter()
  const net = await createTestNetwork(0, { peerManager: member, metrics: bytes.factory })
  await net.addNode({ peerManager: spec.bootstrap })
  for (let i = 1; i < spec.nodes; i++) await net.addNode()
  const t0 = performance.now()
  await net.start()
  const join = await waitState(net, () => isSettled(net.adjacency(), member.minConnected))
  const joinMs = Math.round(performance.now() - t0)
  const atJoin = summary(net)
  const n = spec.nodes
  const pexRequests = net.nodes.reduce((sum, node) => sum + node.libp2p.services.pex.stats().requestsSent, 0)
  const dials = net.nodes.reduce((sum, node) => sum + node.router.stats.dialsStarted, 0)
  const rewires = net.nodes.reduce((sum, node) => sum + (node.router.stats.rewires ?? 0), 0)
  const bytesAtJoin = bytes.counter.sent
  // a quarter leave: every 4th node, the bootstrap included
  const leavers = net.nodes.filter((_node, i) => i % 4 === 0)
  await Promise.all(leavers.map(async node => { await node.stop() }))
  const repair = await waitState(net, () => isSettled(net.adjacency(), member.minConnected))
  const afterRepair = summary(net)
  await net.stop()
  return {
    case: name,
    nodes: n,
    bootstrapMaxConnected: spec.bootstrap.maxConnected,
    joined: join.reached,
    joinMs,
    ...atJoin,
    pexRequestsPerNode: +(pexRequests / n).toFixed(1),
    dialsPerNode: +(dials / n).toFixed(1),
    kibSentPerNode: +(bytesAtJoin / n / 1024).toFixed(1),
    rewires,
    repaired: repair.reached,
    repairMs: repair.ms,
    afterRepair
  }
}

const results = []
for (let run = 0; run < Number(args.runs); run++) {
  for (const name of args.cases.split(',')) {
    const spec = CASES[name]
    if (spec == null) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`)
    const result = await runCase(name, spec)
    results.push(result)
    console.error(JSON.stringify(result))
  }
}
console.table(results.map(r => ({
  case: r.case,
  nodes: r.nodes,
  'bootstrap max': r.bootstrapMaxConnected,
  'one component, all ≥ min': r.joined ? `${(r.joinMs / 1000).toFixed(1)} s` : `no (${r.components} comps, ${r.isolated} isolated at ${args.ceiling} s)`,
  'PEX req/node': r.pexRequestsPerNode,
  'dials/node': r.dialsPerNode,
  'KiB sent/node': r.kibSentPerNode,
  degrees: formatHistogram(r.histogram),
  'repair after ¼ leave': r.repaired ? `${(r.repairMs / 1000).toFixed(1)} s` : `no (${r.afterRepair.components} comps, ${r.afterRepair.isolated} isolated)`
})))
if (args.json != null) writeFileSync(args.json, JSON.stringify(results, null, 2))
process.exit(0)
