#!/usr/bin/env node
// Broadcast propagation (issue 14 item 3), pychain's "beacon" idea: every node notes when it first
// saw each message. N real libp2p nodes (packages/core's createLibp2pNode over the memory
// transport, one process) on one fixed random graph (node i dials `--links` random earlier nodes,
// seeded, so every setting runs on the same graph), each running core's BroadcastChannel on its
// gossipsub. For each gossipsub setting: wait until every node has the topic in its mesh, send
// `--messages` messages from random nodes one after another (the next once everyone has the last),
// and record the time until all N have it and gossipsub-level duplicates per node (counted where
// gossipsub scores a duplicate delivery).
// Usage: node scripts/bench-broadcast.mjs [--nodes 100] [--links 3] [--messages 20] [--reverse]
// Writes docs/bench/broadcast.svg.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { root } from './lib/spawn-relay.mjs'
import { percentile, writeBarChart } from './lib/bench-stats.mjs'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    links: { type: 'string', default: '3' },
    messages: { type: 'string', default: '20' },
    seed: { type: 'string', default: '14' },
    // run the settings last to first (the machine's load drifts during a run: check the order)
    reverse: { type: 'boolean', default: false }
  }
})
const N = Number(args.nodes)
const LINKS = Number(args.links)
const MESSAGES = Number(args.messages)

const core = await import(join(root, 'packages/core/dist/index.js'))
const { GOSSIPSUB_DEFAULTS } = await import(join(root, 'packages/core/dist/libp2p/constants.js'))
const { createLibp2pNode, BroadcastChannel, BROADCAST_TOPIC } = core

// The settings compared; `{}` is ours (GOSSIPSUB_DEFAULTS). Not changed here: recommended in docs.
const SETTINGS = [
  { name: `ours: D=${GOSSIPSUB_DEFAULTS.D} (${GOSSIPSUB_DEFAULTS.Dlo}–${GOSSIPSUB_DEFAULTS.Dhi}), heartbeat ${GOSSIPSUB_DEFAULTS.heartbeatIntervalMs} ms, floodPublish`, gossipsub: {} },
  { name: 'gossipsub stock: D=6 (4–12), heartbeat 1000 ms, floodPublish', gossipsub: { D: 6, Dlo: 4, Dhi: 12, Dout: 2 } },
  { name: 'D=4, heartbeat 700 ms, no floodPublish', gossipsub: { heartbeatInterval: 700, floodPublish: false } }
]

function seededRandom (seed) {
  let s = seed >>> 0
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 }
}

function graph () {
  const random = seededRandom(Number(args.seed))
  const edges = []
  for (let i = 1; i < N; i++) {
    const targets = new Set()
    while (targets.size < Math.min(i, LINKS)) targets.add(Math.floor(random() * i))
    for (const j of targets) edges.push([i, j])
  }
  return edges
}

async function runSetting (setting, edges) {
  const nodes = []
  for (let i = 0; i < N; i++) {
    nodes.push(await createLibp2pNode({
      role: 'node', privateKey: await generateKeyPair('Ed25519'), listen: [], memory: true,
      iceServers: [], gossipsub: setting.gossipsub, maxConnections: 64, start: true
    }))
  }
  const duplicates = nodes.map(() => 0)
  const channels = nodes.map((node, i) => {
    const score = node.services.pubsub.score
    const original = score.duplicateMessage.bind(score)
    score.duplicateMessage = (from, msgId, topic) => { if (topic === BROADCAST_TOPIC) duplicates[i]++; return original(from, msgId, topic) }
    const channel = new BroadcastChannel({ pubsub: node.services.pubsub, selfId: node.peerId.toString() })
    channel.start()
    return channel
  })
  const t0 = performance.now()
  for (const [i, j] of edges) await nodes[i].dial(multiaddr(`/memory/${nodes[j].peerId.toString()}`))
  // Wait for a state: every node has min(2, its connections) mesh peers on the topic (60 s bound;
  // if a node is still below, the run says how many and measures anyway: floodPublish and gossip
  // still deliver, and the figure is what such a mesh does).
  const meshTarget = (n) => Math.min(2, n.getConnections().length)
  const meshDeadline = Date.now() + 60_000
  const below = () => nodes.filter((n) => n.services.pubsub.getMeshPeers(BROADCAST_TOPIC).length < meshTarget(n)).length
  while (below() > 0 && Date.now() < meshDeadline) {
    await new Promise((resolve) => { nodes[0].services.pubsub.addEventListener('gossipsub:heartbeat', resolve, { once: true }) })
  }
  const meshDegrees = nodes.map((n) => n.services.pubsub.getMeshPeers(BROADCAST_TOPIC).length)
  const meshNote = `mesh degree min ${Math.min(...meshDegrees)} median ${percentile(meshDegrees, 50)} max ${Math.max(...meshDegrees)}, ${below()} node(s) below min(2, connections)`
  const meshReadyMs = performance.now() - t0
  const random = seededRandom(Number(args.seed) + 1)
  const allTimes = []
  const cpuMs = []
  const duplicatesPerMessage = []
  for (let m = 0; m < MESSAGES; m++) {
    const from = Math.floor(random() * N)
    const before = [...duplicates]
    const seen = new Map()
    let resolveAll
    const all = new Promise((resolve) => { resolveAll = resolve })
    const offs = channels.map((channel, i) => channel.onMessage(() => {
      if (!seen.has(i)) seen.set(i, performance.now())
      if (seen.size === N - 1) resolveAll()
    }))
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    await channels[from].send(`beacon ${m} from ${from}`)
    const timeout = setTimeout(() => { resolveAll() }, 30_000)
    await all
    clearTimeout(timeout)
    for (const off of offs) off()
    if (seen.size < N - 1) throw new Error(`message ${m} reached ${seen.size + 1}/${N} nodes in 30 s`)
    allTimes.push(Math.max(...seen.values()) - start)
    // CPU time this process (all N nodes) spent until the last node had it: one event loop does
    // every node's decrypt, signature check and forwarding, so this bounds the time above.
    const cpu = process.cpuUsage(cpu0)
    cpuMs.push((cpu.user + cpu.system) / 1000)
    // Let late duplicates arrive before counting (a state: one more heartbeat everywhere).
    await new Promise((resolve) => { nodes[0].services.pubsub.addEventListener('gossipsub:heartbeat', resolve, { once: true }) })
    duplicatesPerMessage.push(duplicates.map((d, i) => d - before[i]))
  }
  await Promise.all(nodes.map(async (n) => { await n.stop() }))
  const perNode = duplicatesPerMessage.flat()
  return {
    name: setting.name,
    meshReadyMs,
    meshNote,
    p50: percentile(allTimes, 50),
    p99: percentile(allTimes, 99),
    dupMean: perNode.reduce((a, b) => a + b, 0) / perNode.length,
    dupP99: percentile(perNode, 99),
    dupMax: Math.max(...perNode),
    cpuMs: percentile(cpuMs, 50)
  }
}

const edges = graph()
console.log(`${N} nodes (memory transport, one process), ${edges.length} links (each node dials ${LINKS} random earlier ones), ${MESSAGES} messages per setting`)
const rows = []
for (const setting of args.reverse ? [...SETTINGS].reverse() : SETTINGS) {
  const row = await runSetting(setting, edges)
  rows.push(row)
  console.log(`${row.name}: mesh after ${row.meshReadyMs.toFixed(0)} ms (${row.meshNote}); all ${N} have it p50 ${row.p50.toFixed(1)} ms p99 ${row.p99.toFixed(1)} ms; duplicates per node per message mean ${row.dupMean.toFixed(2)} p99 ${row.dupP99} max ${row.dupMax}; CPU of the process until all had it, median ${row.cpuMs.toFixed(0)} ms`)
}
console.log('\n| setting | all N have it, p50 | p99 | duplicates / node / message: mean | p99 | max | process CPU until all had it, p50 |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) console.log(`| ${r.name} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.dupMean.toFixed(2)} | ${r.dupP99} | ${r.dupMax} | ${r.cpuMs.toFixed(0)} ms |`)
writeBarChart(join(root, 'docs/bench/broadcast-time.svg'), {
  title: `Broadcast: time until all ${N} memory nodes have a message, p99 (p50 in brackets), ${MESSAGES} messages`,
  unit: 'ms',
  bars: rows.map((r, i) => ({ label: r.name.split(',').slice(0, 2).join(','), value: r.p99, note: `p50 ${r.p50.toFixed(1)}`, group: i }))
})
writeBarChart(join(root, 'docs/bench/broadcast-duplicates.svg'), {
  title: `Broadcast: duplicates received per node per message, mean (max in brackets), ${N} nodes`,
  unit: '',
  bars: rows.map((r, i) => ({ label: r.name.split(',').slice(0, 2).join(','), value: r.dupMean, note: `max ${r.dupMax}`, group: i }))
})
process.exit(0)
