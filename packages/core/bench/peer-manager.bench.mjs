#!/usr/bin/env node
// PeerManager at scale (issue 10): median time of each decision with 1k, 10k and 100k stored
// peers, for the indexed PeerManager (dist/) and, side by side in the same run, the reference
// model (the previous class with its on-demand ranking, test/peer-manager/reference/, compiled
// to bench/reference-build by `npm run bench`), plus the memory each stored peer costs.
// Writes docs/bench/peer-manager.svg and prints the tables docs/BENCHMARKS.md quotes.
//
// Set up as a new user would: openPeerManager with relayPeerManagerOptions and maxPeers raised
// to the book size (so every new peer prunes the lowest one), one gossip address per peer, 16
// peers per /24, a fake clock, 150 inbound peers connected (200, the relay's limit, for the
// upgrade cycle). Run alone: `npm run build && npx tsc -p bench/tsconfig.reference.json &&
// node --expose-gc bench/peer-manager.bench.mjs` (in packages/core).
import '../../../scripts/node20-polyfills.js'
import '../dist/shims/node.js'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMemoryPeerStore, openPeerManager, parseNodeAddress, relayPeerManagerOptions } from '../dist/index.js'
import { createFakeClock } from '../dist/testing/index.js'
import { lineChart } from './line-chart.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const { openReferencePeerManager } = await import('./reference-build/test/peer-manager/reference/reference-peer-manager.js')

export const SIZES = [1_000, 10_000, 100_000]
const CONNECTED = 150
const ADD_POOL = 2_400
const START_MS = 1_700_000_000_000

/**
 * Samples (and warm-up iterations) per task: fewer where an operation walks the whole book (the
 * reference model's).
 */
function samplesFor (impl, n, op) {
  if (impl === 'indexed') return { samples: 2_000, warmup: 200 }
  if (n <= 1_000) return { samples: 400, warmup: 40 }
  if (n <= 10_000) return { samples: 60, warmup: 6 }
  return { samples: 15, warmup: 2 }
}

function newPeerId () {
  return peerIdFromPublicKey(publicKeyFromRaw(randomBytes(32))).toString()
}

/** A public IPv4 address, 16 peers per /24. */
function gossipUrl (id, i) {
  const group = i >> 4
  return `ws://${id}@${20 + (group >> 16)}.${(group >> 8) & 255}.${group & 255}.${1 + (i & 15)}:4001`
}

const IMPLS = { indexed: openPeerManager, reference: openReferencePeerManager }

/** A store that keeps nothing: the memory figure is the PeerManager's own. */
const discardingStore = () => ({
  load: async () => ({ records: [], skipped: 0 }),
  put: async () => {},
  delete: async () => {},
  close: async () => {}
})

async function open (impl, n, store = createMemoryPeerStore()) {
  const clock = createFakeClock(START_MS)
  const pm = await IMPLS[impl]({
    selfId: newPeerId(),
    store,
    clock,
    options: { ...relayPeerManagerOptions, maxPeers: n }
  })
  return { pm, clock }
}

function median (sorted) {
  return sorted[Math.floor(sorted.length / 2)]
}

/** Times `fn` alone, `samples` times (hooks untimed); the writer gets to run every 64 iterations. */
async function measure (pm, { samples, warmup }, { before, fn, after }) {
  const started = performance.now()
  const times = []
  for (let k = 0; k < warmup + samples; k++) {
    before?.()
    const t0 = performance.now()
    fn()
    const t = performance.now() - t0
    after?.()
    if (k >= warmup) times.push(t * 1000)
    if (k % 64 === 63) await pm.flush()
  }
  await pm.flush()
  if (process.env.BENCH_TRACE) console.error(`  ${samples + warmup} iterations in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  times.sort((a, b) => a - b)
  return { median: median(times), p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))], samples }
}

function check (condition, message) {
  if (!condition) throw new Error(`benchmark premise failed: ${message}`)
}

/** Every timed operation at one book size, on one manager, in an order that keeps each premise. */
async function runOps (impl, n, ids, pool) {
  const { pm, clock } = await open(impl, n)
  for (let i = 0; i < n; i++) pm.add(parseNodeAddress(gossipUrl(ids[i], i)))
  await pm.flush()
  check(pm.stats().peers === n, `${n} peers stored`)
  const maxConnected = relayPeerManagerOptions.maxConnected
  // A full relay: 200 inbound peers connected (the last ones added).
  for (let i = n - maxConnected; i < n; i++) pm.accepted(ids[i])
  check(pm.stats().connected === maxConnected, 'the relay is full')
  const budget = samplesFor(impl, n)
  const results = {}

  // add: a new peer's gossip address reaches the full book (the lowest peer is pruned).
  let next = 0
  const poolAddresses = pool.map((id, i) => parseNodeAddress(gossipUrl(id, n + i)))
  const prunedBefore = pm.stats().peersPruned
  results.add = await measure(pm, budget, { fn: () => { pm.add(poolAddresses[next++]) } })
  check(pm.stats().peers === n && pm.stats().peersPruned - prunedBefore === budget.samples + budget.warmup, 'every add pruned one peer')

  // The upgrade cycle of the full relay: a better-scored inbound peer is accepted over the
  // lowest connected one, which tryEvictNext() hands out and disconnected() closes. The incoming
  // peer is a stored, unconnected peer of score 0: +1 makes it outscore the lowest connected
  // (score 0); settle() takes the +1 back once it is connected.
  const candidates = pm.peers().filter(row => row.state === 'known' && row.score === 0).map(row => row.peerId)
  check(candidates.length >= 400, 'enough peers to upgrade with')
  let candidate = 0
  let incoming
  let victim
  const pick = () => {
    for (let tries = 0; ; tries++) {
      check(tries < candidates.length, 'an unconnected candidate')
      incoming = candidates[candidate++ % candidates.length]
      if (pm.peer(incoming)?.state !== 'connected') break
    }
    pm.reportGood(incoming)
  }
  const settle = () => { pm.reportBad(incoming) }
  const acceptedBefore = pm.stats().accepted
  results.accepted = await measure(pm, budget, {
    before: pick,
    fn: () => { pm.accepted(incoming) },
    after: () => { victim = pm.tryEvictNext(); pm.disconnected(victim); settle() }
  })
  results.tryEvictNext = await measure(pm, budget, {
    before: () => { pick(); pm.accepted(incoming) },
    fn: () => { victim = pm.tryEvictNext() },
    after: () => { check(victim !== undefined, 'a victim'); pm.disconnected(victim); settle() }
  })
  results.disconnected = await measure(pm, budget, {
    before: () => { pick(); pm.accepted(incoming); victim = pm.tryEvictNext() },
    fn: () => { pm.disconnected(victim) },
    after: settle
  })
  check(pm.stats().accepted - acceptedBefore === 3 * (budget.samples + budget.warmup), 'every upgrade was accepted')
  check(pm.stats().connected === maxConnected, 'the relay stayed full')

  // Back to 150 connected, so that there are free slots to dial.
  for (const row of pm.peers().filter(r => r.state === 'connected').slice(0, maxConnected - CONNECTED)) pm.disconnected(row.peerId)
  clock.advance(relayPeerManagerOptions.disconnectCooldownMs)

  // One dial cycle: tryDialNext() + dialFailed(); one second passes on the fake clock per cycle.
  let dialsBefore = pm.stats().dialsFailed
  results.dialCycle = await measure(pm, budget, {
    fn: () => { const a = pm.tryDialNext(); if (a !== undefined) pm.dialFailed(a) },
    after: () => { clock.advance(1_000) }
  })
  check(pm.stats().dialsFailed - dialsBefore === budget.samples + budget.warmup, 'every cycle dialed and failed')

  // dialed: an outbound dial succeeds (set up by tryDialNext; the connection closes afterwards).
  let dialing
  dialsBefore = pm.stats().dialsSucceeded
  results.dialed = await measure(pm, budget, {
    before: () => { dialing = pm.tryDialNext() },
    fn: () => { pm.dialed(dialing) },
    after: () => { pm.disconnected(dialing.peerId); clock.advance(1_000) }
  })
  check(pm.stats().dialsSucceeded - dialsBefore === budget.samples + budget.warmup, 'every dial connected')

  // advertise(peer, 100) and stats(), with every stored peer fresh (seen within 3 h). The
  // reference column runs the previous advertise (list every eligible address, shuffle it all),
  // not the reference model's plain copy of the new sampling (which lists the book too).
  const advertise = impl === 'indexed' ? () => pm.advertise(ids[0], 100) : () => pm.advertiseByFullShuffle(ids[0], 100)
  results.advertise = await measure(pm, samplesFor(impl, n, 'advertise'), { fn: () => { check(advertise().length === 100, 'a full answer') } })
  results.stats = await measure(pm, budget, { fn: () => { pm.stats() } })
  await pm.close()
  return results
}

/** Bytes of heap per stored peer with one address, PeerId strings included. */
async function memoryPerPeer (impl, n) {
  if (typeof globalThis.gc !== 'function') return undefined
  globalThis.gc(); globalThis.gc()
  const before = process.memoryUsage().heapUsed
  const { pm } = await open(impl, n, discardingStore())
  for (let i = 0; i < n; i++) pm.add(parseNodeAddress(gossipUrl(newPeerId(), i)))
  await pm.flush()
  globalThis.gc(); globalThis.gc()
  const after = process.memoryUsage().heapUsed
  check(pm.stats().peers === n, 'all stored')
  await pm.close()
  return (after - before) / n
}

export const OPS = [
  ['add', '`add` (new gossip peer, full book: prunes one)'],
  ['dialCycle', '`tryDialNext` + `dialFailed`'],
  ['dialed', '`dialed`'],
  ['accepted', '`accepted` (full relay: upgrade over the lowest)'],
  ['disconnected', '`disconnected`'],
  ['tryEvictNext', '`tryEvictNext`'],
  ['advertise', '`advertise(peer, 100)`'],
  ['stats', '`stats()`']
]

function fmt (us) {
  if (us === undefined) return '–'
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 10_000 ? 0 : 1)} ms`
  return `${us.toFixed(us >= 100 ? 0 : us >= 10 ? 1 : 2)} µs`
}

export async function runPeerManagerBench ({ sizes = SIZES, chart = join(here, '../../../docs/bench/peer-manager.svg'), impls = ['indexed', 'reference'] } = {}) {
  const largest = Math.max(...sizes)
  const ids = []
  for (let i = 0; i < largest + ADD_POOL; i++) ids.push(newPeerId())
  const pool = ids.slice(largest)
  const results = { indexed: {}, reference: {} }
  if (process.env.BENCH_TRACE) console.error(`${ids.length} peer IDs made`)
  const memory = { indexed: {}, reference: {} }
  // Memory first, while nothing else has run: each figure from a fresh manager between two full GCs.
  for (const n of sizes) for (const impl of impls) memory[impl][n] = await memoryPerPeer(impl, n)
  for (const n of sizes) {
    for (const impl of impls) {
      results[impl][n] = await runOps(impl, n, ids, pool)
      console.error(`PeerManager bench: ${impl} at ${n} peers done`)
      if (process.env.BENCH_TRACE) console.error(impl, n, Object.entries(results[impl][n]).map(([k, v]) => `${k} ${fmt(v.median)}`).join(', '), `${Math.round(memory[impl][n])} B/peer`)
    }
  }

  const rows = []
  for (const [key, label] of OPS) {
    const row = { operation: label }
    for (const n of sizes) {
      row[`${n / 1000}k indexed`] = fmt(results.indexed[n][key].median)
      row[`${n / 1000}k before`] = fmt(results.reference[n][key].median)
    }
    const first = results.indexed[sizes[0]][key].median
    const last = results.indexed[largest][key].median
    row[`×${sizes[0] / 1000}k→${largest / 1000}k`] = `×${(last / first).toFixed(1)}`
    row[`p99 ${largest / 1000}k`] = fmt(results.indexed[largest][key].p99)
    rows.push(row)
  }
  const memoryRow = { operation: 'heap per stored peer (one address)' }
  for (const n of sizes) {
    memoryRow[`${n / 1000}k indexed`] = memory.indexed[n] === undefined ? 'needs --expose-gc' : `${Math.round(memory.indexed[n])} B`
    memoryRow[`${n / 1000}k before`] = memory.reference[n] === undefined ? '–' : `${Math.round(memory.reference[n])} B`
  }
  rows.push(memoryRow)

  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf']
  const series = []
  OPS.forEach(([key, label], i) => {
    const name = label.replace(/`/g, '').replace(/ \(.*\)$/, '')
    series.push({ name: `${name}`, color: palette[i], points: sizes.map(n => [n, Math.max(results.indexed[n][key].median, 0.01)]) })
  })
  OPS.forEach(([key, label], i) => {
    const name = label.replace(/`/g, '').replace(/ \(.*\)$/, '')
    series.push({ name: `${name} (before)`, color: palette[i], dashed: true, points: sizes.map(n => [n, Math.max(results.reference[n][key].median, 0.01)]) })
  })
  mkdirSync(dirname(chart), { recursive: true })
  writeFileSync(chart, lineChart({
    title: 'PeerManager: median time per operation (solid: indexed, dashed: before)',
    xLabel: 'stored peers',
    yLabel: 'median µs per operation (log)',
    series,
    guides: [{ y: 20, label: 'target: 20 µs' }]
  }))
  return { rows, results, memory, chart }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--sizes 1000,10000` for a quicker look (the chart is then written next to this script).
  const at = process.argv.indexOf('--sizes')
  const sizes = at > 0 ? process.argv[at + 1].split(',').map(Number) : SIZES
  const { rows, chart } = await runPeerManagerBench(at > 0 ? { sizes, chart: join(here, 'reference-build/peer-manager.svg') } : {})
  console.table(rows)
  console.log(`chart written to ${chart}`)
}
