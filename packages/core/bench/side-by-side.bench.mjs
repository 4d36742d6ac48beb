#!/usr/bin/env node
// peermesh next to js-libp2p's own discovery recipe, in one process and one run, over the same
// memory transport, against the built package (dist/). N nodes each; node 0 is everyone's
// bootstrap and has the same limits as every other node.
//   peermesh        createTestNetwork: minConnected 3, maxConnected 6, maxOutgoingConnections 4,
//                   maxConnectedUpgrade 1 on every node.
//   libp2p          the recipe of js-libp2p's discovery example (js-libp2p-examples,
//                   discovery-mechanisms/3-pubsub.js): noise, yamux, identify, ping, gossipsub,
//                   @libp2p/bootstrap with node 0's address, @libp2p/pubsub-peer-discovery
//                   (interval 1 s, as in the example); connectionManager.maxConnections 6 on every
//                   node. libp2p 3 has no minConnections: the autodialer that kept it was removed in
//                   libp2p 2.0, and nothing dials a discovered peer (it only enters the peer store).
//   libp2p-autodial the same recipe plus a stand-in for that removed autodialer, written here:
//                   while a node has fewer than 3 connections it dials known peers it has not tried
//                   in the last 60 s, on every discovery, every closed connection and every 5 s
//                   (libp2p 1.x's autoDialInterval and autoDialPeerRetryThreshold).
//   libp2p-autodial-open-bootstrap (only when asked for; not like for like) the same, but node 0
//                   accepts all N: what the recipe needs from its bootstrap.
// Per recipe, on the graph of open connections between the N nodes (libp2p.getConnections(), the
// same for all): the time from start until one component with every node ≥ 3 connections (or the
// state at the ceiling: components, nodes below 3, nodes with no connection), mean and max
// connections per node and the degree histogram at that moment, bytes sent per node on raw
// connections up to that moment and over the whole ceiling from start (every recipe keeps running
// until the ceiling, so that its bytes cover the same window; the same counter for all,
// mesh-measure.mjs), the state at the ceiling, and the ratios peermesh / libp2p.
//
// Run: `npm run bench:side-by-side -w @peermesh/core` (builds first). Options:
//   --nodes 50 --cases peermesh,libp2p,libp2p-autodial --ceiling 120 --runs 1 --json out.json
// docs/BENCHMARKS.md quotes one run; the machine is shared, so compare figures of one run.
import '../../../scripts/node20-polyfills.js'
import '../dist/shims/node.js'
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { bootstrap } from '@libp2p/bootstrap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createTestNetwork } from '../dist/testing/index.js'
import { byteCounter, formatHistogram, graphSummary, isSettled } from './mesh-measure.mjs'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    cases: { type: 'string', default: 'peermesh,libp2p,libp2p-autodial' },
    ceiling: { type: 'string', default: '120' },
    runs: { type: 'string', default: '1' },
    json: { type: 'string' }
  }
})

const member = { minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1 }
const ceilingMs = Number(args.ceiling) * 1000
/** Events within this window trigger one check of the state (as in createTestNetwork's waitFor). */
const CHECK_COALESCE_MS = 10

/** N peermesh nodes; returns their libp2p instances and how to start and stop them. */
async function peermeshNetwork (n, bytes) {
  const net = await createTestNetwork(n, { peerManager: member, metrics: bytes.factory })
  return {
    nodes: net.nodes.map(node => node.libp2p),
    start: async () => { await net.start() },
    stop: async () => { await net.stop() }
  }
}

/**
 * What libp2p 1.x's autodialer did while below `minConnections` (libp2p 2.0 removed it): dial
 * known peers not tried within `retryAfterMs`, on discovery, on a closed connection and every
 * `intervalMs`; dials in flight count toward the minimum. Returns a function that stops it.
 */
function minimalAutodialer (node, { minConnections, intervalMs = 5_000, retryAfterMs = 60_000 }) {
  const lastTried = new Map()
  const dialing = new Set()
  let running = false
  const topUp = async () => {
    if (running || node.status !== 'started') return
    running = true
    try {
      const connected = new Set(node.getConnections().map(c => c.remotePeer.toString()))
      const wanted = minConnections - connected.size - dialing.size
      if (wanted <= 0) return
      const now = performance.now()
      const candidates = (await node.peerStore.all())
        .map(peer => peer.id)
        .filter(id => {
          const key = id.toString()
          return !connected.has(key) && !dialing.has(key) && now - (lastTried.get(key) ?? -Infinity) >= retryAfterMs
        })
        .sort(() => Math.random() - 0.5)
      for (const id of candidates.slice(0, wanted)) {
        const key = id.toString()
        lastTried.set(key, now)
        dialing.add(key)
        node.dial(id).catch(() => {}).finally(() => { dialing.delete(key) })
      }
    } finally {
      running = false
    }
  }
  const onEvent = () => { void topUp() }
  node.addEventListener('peer:discovery', onEvent)
  node.addEventListener('connection:close', onEvent)
  const timer = setInterval(onEvent, intervalMs)
  return () => {
    clearInterval(timer)
    node.removeEventListener('peer:discovery', onEvent)
    node.removeEventListener('connection:close', onEvent)
  }
}

/** N nodes built with js-libp2p's discovery recipe, all bootstrapping from node 0. */
async function libp2pNetwork (n, bytes, { autodial, bootstrapMaxConnections = member.maxConnected }) {
  const prefix = `side-by-side-${Math.random().toString(36).slice(2, 8)}`
  const nodes = []
  for (let i = 0; i < n; i++) {
    // @libp2p/bootstrap 12 drops list entries its P2P matcher does not know, and memory addresses
    // are not among them: the list names node 0 by `/p2p/<id>`, and the peer store is told its
    // memory address before start (the bootstrapper then dials node 0 by peer ID, as it does anyway).
    const bootstrapList = i === 0 ? [] : [`/p2p/${nodes[0].peerId.toString()}`]
    const node = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      start: false,
      addresses: { listen: [`/memory/${prefix}-${i}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: i === 0 ? bootstrapMaxConnections : member.maxConnected },
      peerDiscovery: [
        pubsubPeerDiscovery({ interval: 1_000 }),
        ...(bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : [])
      ],
      services: { identify: identify(), ping: ping(), pubsub: gossipsub() },
      metrics: bytes.factory
    })
    if (i > 0) await node.peerStore.merge(nodes[0].peerId, { multiaddrs: [multiaddr(`/memory/${prefix}-0`)] })
    nodes.push(node)
  }
  const stopDialers = []
  return {
    nodes,
    start: async () => {
      for (const node of nodes) {
        await node.start()
        if (autodial) stopDialers.push(minimalAutodialer(node, { minConnections: member.minConnected }))
      }
    },
    stop: async () => {
      for (const stopDialer of stopDialers) stopDialer()
      await Promise.allSettled(nodes.map(async node => { await node.stop() }))
    }
  }
}

const RECIPES = {
  peermesh: (n, bytes) => peermeshNetwork(n, bytes),
  libp2p: (n, bytes) => libp2pNetwork(n, bytes, { autodial: false }),
  'libp2p-autodial': (n, bytes) => libp2pNetwork(n, bytes, { autodial: true }),
  // not a like-for-like case: a contrast showing what the recipe needs from its bootstrap
  'libp2p-autodial-open-bootstrap': (n, bytes) => libp2pNetwork(n, bytes, { autodial: true, bootstrapMaxConnections: n })
}

/** Open connections between the running nodes, both directions merged, by peer ID. */
function connectionGraph (nodes) {
  const running = new Set(nodes.filter(node => node.status === 'started').map(node => node.peerId.toString()))
  const adjacency = new Map([...running].map(id => [id, new Set()]))
  for (const node of nodes) {
    const self = node.peerId.toString()
    if (!running.has(self)) continue
    for (const connection of node.getConnections()) {
      const remote = connection.remotePeer.toString()
      if (connection.status !== 'open' || !running.has(remote) || remote === self) continue
      adjacency.get(self).add(remote)
      adjacency.get(remote).add(self)
    }
  }
  return adjacency
}

/** Resolves when `predicate()` holds, re-checked on every opened or closed connection, or at the ceiling. */
async function waitForState (nodes, predicate) {
  if (predicate()) return true
  return await new Promise(resolve => {
    let queued = false
    const finish = (reached) => {
      clearTimeout(ceiling)
      for (const node of nodes) {
        node.removeEventListener('connection:open', check)
        node.removeEventListener('connection:close', check)
      }
      resolve(reached)
    }
    const check = () => {
      if (queued) return
      queued = true
      setTimeout(() => {
        queued = false
        if (predicate()) finish(true)
      }, CHECK_COALESCE_MS)
    }
    const ceiling = setTimeout(() => { finish(predicate()) }, ceilingMs)
    for (const node of nodes) {
      node.addEventListener('connection:open', check)
      node.addEventListener('connection:close', check)
    }
  })
}

async function runRecipe (name, n) {
  const bytes = byteCounter()
  const network = await RECIPES[name](n, bytes)
  const t0 = performance.now()
  await network.start()
  const reached = await waitForState(network.nodes, () => isSettled(connectionGraph(network.nodes), member.minConnected))
  const ms = Math.round(performance.now() - t0)
  const state = graphSummary(connectionGraph(network.nodes), member.minConnected)
  const sentAtState = bytes.counter.sent
  // the same window for every recipe, so that bytes compare: the rest of the ceiling from start
  await new Promise(resolve => setTimeout(resolve, Math.max(0, ceilingMs - (performance.now() - t0))))
  const atCeiling = graphSummary(connectionGraph(network.nodes), member.minConnected)
  const sentAtCeiling = bytes.counter.sent
  await network.stop()
  return {
    recipe: name,
    nodes: n,
    reached,
    ms,
    ...state,
    isolatedShare: +(state.isolated / n).toFixed(2),
    kibSentPerNode: +(sentAtState / n / 1024).toFixed(1),
    kibSentPerNodeInCeiling: +(sentAtCeiling / n / 1024).toFixed(1),
    atCeiling: { components: atCeiling.components, belowMin: atCeiling.belowMin, isolated: atCeiling.isolated, meanDegree: atCeiling.meanDegree, maxDegree: atCeiling.maxDegree }
  }
}

/** peermesh / libp2p for each figure both recipes have. */
function ratios (ours, theirs) {
  const ratio = (a, b) => b === 0 ? null : +(a / b).toFixed(2)
  return {
    recipe: `peermesh / ${theirs.recipe}`,
    timeToOneComponent: ours.reached && theirs.reached ? ratio(ours.ms, theirs.ms) : null,
    meanConnections: ratio(ours.meanDegree, theirs.meanDegree),
    maxConnections: ratio(ours.maxDegree, theirs.maxDegree),
    kibSentPerNode: ratio(ours.kibSentPerNode, theirs.kibSentPerNode),
    kibSentPerNodeInCeiling: ratio(ours.kibSentPerNodeInCeiling, theirs.kibSentPerNodeInCeiling)
  }
}

const names = args.cases.split(',')
for (const name of names) {
  if (RECIPES[name] == null) throw new Error(`unknown case ${name}; known: ${Object.keys(RECIPES).join(', ')}`)
}
const results = []
const comparisons = []
for (let run = 0; run < Number(args.runs); run++) {
  const thisRun = []
  for (const name of names) {
    const result = await runRecipe(name, Number(args.nodes))
    thisRun.push(result)
    console.error(JSON.stringify(result))
  }
  const ours = thisRun.find(r => r.recipe === 'peermesh')
  if (ours != null) comparisons.push(...thisRun.filter(r => r !== ours).map(theirs => ratios(ours, theirs)))
  results.push(...thisRun)
}
console.table(results.map(r => ({
  recipe: r.recipe,
  nodes: r.nodes,
  'one component, all ≥ 3': r.reached
    ? `${(r.ms / 1000).toFixed(1)} s`
    : `no at ${args.ceiling} s: ${r.components} comps (largest ${r.largest}), ${r.belowMin} below 3, ${Math.round(r.isolatedShare * 100)}% with 0`,
  'connections/node mean': r.meanDegree,
  'max': r.maxDegree,
  'KiB sent/node': r.kibSentPerNode,
  [`KiB/node in ${args.ceiling} s`]: r.kibSentPerNodeInCeiling,
  degrees: formatHistogram(r.histogram),
  [`at ${args.ceiling} s`]: `${r.atCeiling.components} comps, ${r.atCeiling.belowMin} below 3, mean ${r.atCeiling.meanDegree}, max ${r.atCeiling.maxDegree}`
})))
if (comparisons.length > 0) console.table(comparisons)
if (args.json != null) writeFileSync(args.json, JSON.stringify({ results, comparisons }, null, 2))
process.exit(0)
