#!/usr/bin/env node
// Benchmarks of the core's hot paths, against the built package (dist/). Mesh formation with
// real nodes is bench/mesh.bench.mjs (`npm run bench:mesh`).
// Run: `npm run bench -w @peermesh/core` (builds, compiles the reference PeerManager, runs this
// with --expose-gc). Prints the median (p50) and p99 of each task, then the PeerManager at 1k,
// 10k and 100k stored peers (bench/peer-manager.bench.mjs, which also writes
// docs/bench/peer-manager.svg); docs/BENCHMARKS.md quotes one run. Machines here are noisy:
// compare numbers from one run.
import '../../../scripts/node20-polyfills.js'
import '../dist/shims/node.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Bench } from 'tinybench'
import { parseNodeAddress } from '../dist/index.js'
import { runPeerManagerBench } from './peer-manager.bench.mjs'

const ids = []
for (let i = 0; i < 2001; i++) ids.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
const relayId = ids[2000]
const urls = ids.slice(0, 2000).map((id, i) => `ws://${id}@10.${(i >> 8) & 255}.${i & 255}.1:4001`)
const relayed = ids.slice(0, 2000).map(id => `webrtc+ws://${id}@relay.example.com/via/${relayId}`)
const parsed = urls.map(u => parseNodeAddress(u))

let i = 0
const fast = new Bench({ time: 1000, warmupTime: 200 })
fast
  .add('parseNodeAddress: ws URL of a known peer', () => { parseNodeAddress(urls[i++ % urls.length]) })
  .add('parseNodeAddress: relayed WebRTC URL', () => { parseNodeAddress(relayed[i++ % relayed.length]) })
  .add('NodeAddress → multiaddr → NodeAddress', () => { parseNodeAddress(parsed[i++ % parsed.length].toMultiaddr().toString()) })
await fast.run()


const rows = fast.tasks.map(task => {
  const latency = task.result.latency
  const unit = latency.p50 >= 1 ? 'ms' : 'µs'
  const scale = unit === 'ms' ? 1 : 1000
  return { task: task.name, median: `${(latency.p50 * scale).toFixed(unit === 'ms' ? 1 : 2)} ${unit}`, p99: `${(latency.p99 * scale).toFixed(unit === 'ms' ? 1 : 2)} ${unit}`, samples: latency.samplesCount ?? latency.samples?.length }
})
console.table(rows)

const peerManager = await runPeerManagerBench()
console.log('PeerManager: median per operation by stored peers (indexed, and before: the on-demand ranking)')
console.table(peerManager.rows)
console.log(`chart written to ${peerManager.chart}`)
