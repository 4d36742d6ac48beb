#!/usr/bin/env node
// Data path (issue 14 item 2): throughput and round-trip time of a libp2p stream beside the raw
// transport under it, measured side by side in one run.
//   Node ↔ Node, one process: plain TCP (node:net) · raw RTCDataChannel (node-datachannel) ·
//   libp2p stream over direct WebRTC (@libp2p/webrtc on node-datachannel) · libp2p stream over
//   the relay's WebSocket transport.
//   Tab ↔ Tab (--tabs): raw RTCDataChannel between two Chromium tabs beside a libp2p stream over
//   the tabs' own direct WebRTC connection (scripts/lib/bench-tabs-stream.mjs).
// Usage: node scripts/bench-stream.mjs [--mib 16] [--chunk-kib 64] [--echoes 200] [--rounds 5]
//        [--no-node] [--tabs] [--only <path name part>] (e.g. under node --cpu-prof)
// Writes docs/bench/stream-node.svg (and docs/bench/stream-tabs.svg with --tabs).
import { once } from 'node:events'
import { createServer, connect } from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { WebRTC, WebSockets } from '@multiformats/multiaddr-matcher'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RTCPeerConnection } from 'node-datachannel/polyfill'
import { root } from './lib/spawn-relay.mjs'
import { percentile, writeBarChart } from './lib/bench-stats.mjs'
import {
  byteCounter, measureThroughput, measureRoundTrips, dataChannelPipe, answerDataChannel,
  libp2pPipe, handleLibp2pProbes, SINK_PROTOCOL, ECHO_PROTOCOL
} from './lib/stream-probe.mjs'

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '16' },
    'chunk-kib': { type: 'string', default: '64' },
    echoes: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    'no-node': { type: 'boolean', default: false },
    tabs: { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
    only: { type: 'string' }
  }
})
const TOTAL = Number(args.mib) * 1024 * 1024
const CHUNK = Number(args['chunk-kib']) * 1024
const ECHOES = Number(args.echoes)
const ROUNDS = Number(args.rounds)
const ECHO_SIZE = 32

export function summarise (name, results) {
  const mb = results.map((r) => r.mbPerS).sort((a, b) => a - b)
  const rtt = results.flatMap((r) => r.rtts)
  return {
    name,
    mbPerS: mb[Math.floor(mb.length / 2)],
    rounds: mb,
    rttP50: percentile(rtt, 50),
    rttP95: percentile(rtt, 95)
  }
}

export function printTable (rows, rawName) {
  const raw = rows.find((r) => r.name === rawName)
  console.log('\n| path | MB/s (median of rounds) | rounds | RTT p50 | RTT p95 | throughput / raw | RTT p50 / raw |')
  console.log('|---|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.mbPerS.toFixed(1)} | ${r.rounds.map((v) => v.toFixed(1)).join(', ')} | ${r.rttP50.toFixed(2)} ms | ${r.rttP95.toFixed(2)} ms | ` +
      `${(r.mbPerS / raw.mbPerS * 100).toFixed(0)}% | ${(r.rttP50 / raw.rttP50).toFixed(2)}× |`)
  }
}

async function tcpPaths () {
  const server = createServer((socket) => {
    let mode = null
    let received = 0
    socket.on('data', (data) => {
      if (mode == null) { mode = data[0]; data = data.subarray(1) }
      if (mode === 0x65) { socket.write(data); return }
      received += data.length
      if (received >= TOTAL && received - data.length < TOTAL) socket.write(new Uint8Array(1))
    })
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const open = async (mode) => {
    const socket = connect(server.address().port, '127.0.0.1')
    await once(socket, 'connect')
    socket.setNoDelay(true)
    socket.write(Uint8Array.of(mode))
    const counter = byteCounter()
    socket.on('data', (d) => { counter.add(d.length) })
    return {
      socket,
      counter,
      async send (bytes) { if (!socket.write(bytes)) await once(socket, 'drain') }
    }
  }
  return {
    name: 'TCP (node:net)',
    sink: async () => await open(0x73),
    echo: async () => await open(0x65),
    close: async () => { server.closeAllConnections?.(); server.close() }
  }
}

async function rawDataChannelPaths (label, messageBytes, highWater, lowThreshold) {
  const a = new RTCPeerConnection({ iceServers: [] })
  const b = new RTCPeerConnection({ iceServers: [] })
  a.onicecandidate = (e) => { if (e.candidate != null) void b.addIceCandidate(e.candidate) }
  b.onicecandidate = (e) => { if (e.candidate != null) void a.addIceCandidate(e.candidate) }
  b.ondatachannel = (e) => {
    const ch = e.channel
    if (ch.readyState === 'open') answerDataChannel(ch)
    else ch.addEventListener('open', () => { answerDataChannel(ch) }, { once: true })
  }
  const first = a.createDataChannel('warm')
  await a.setLocalDescription(await a.createOffer())
  await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription(await b.createAnswer())
  await a.setRemoteDescription(b.localDescription)
  await once(first, 'open')
  const openChannel = async (name) => {
    const ch = a.createDataChannel(name)
    if (ch.readyState !== 'open') await once(ch, 'open')
    const pipe = dataChannelPipe(ch, highWater, lowThreshold)
    if (messageBytes == null) return pipe
    return { counter: pipe.counter, async send (bytes) { for (let i = 0; i < bytes.length; i += messageBytes) await pipe.send(bytes.subarray(i, i + messageBytes)) } }
  }
  return {
    name: label,
    sink: async () => await openChannel(`sink:${TOTAL}`),
    echo: async () => await openChannel('echo'),
    close: async () => { a.close(); b.close() }
  }
}

async function libp2pPaths () {
  const { createLibp2pNode } = await import(join(root, 'packages/core/dist/index.js'))
  const start = async (init) => await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), iceServers: [], start: true, ...init })
  const relay = await start({ role: 'relay' })
  const a = await start({ role: 'node' })
  const b = await start({ role: 'node' })
  for (const node of [relay, b]) await handleLibp2pProbes(node, TOTAL)
  const relayWs = relay.getMultiaddrs().find((ma) => WebSockets.exactMatch(ma))
  await a.dial(relayWs)
  await b.dial(relayWs)
  const deadline = Date.now() + 20_000
  let bWebRtc
  while ((bWebRtc = b.getMultiaddrs().find((ma) => WebRTC.exactMatch(ma))) == null) {
    if (Date.now() > deadline) throw new Error('b never got a /p2p-circuit/webrtc address')
    await once(b, 'self:peer:update')
  }
  const direct = await a.dial(bWebRtc)
  if (direct.limits != null || !WebRTC.exactMatch(direct.remoteAddr)) throw new Error(`not a direct WebRTC connection: ${direct.remoteAddr.toString()}`)
  const viaWs = a.getConnections(relay.peerId).find((c) => WebSockets.exactMatch(c.remoteAddr))
  if (viaWs == null) throw new Error('no WebSocket connection to the relay')
  const paths = (name, connection) => ({
    name,
    sink: async () => libp2pPipe(await connection.newStream(SINK_PROTOCOL)),
    echo: async () => libp2pPipe(await connection.newStream(ECHO_PROTOCOL))
  })
  return {
    relay,
    relayWs,
    webrtc: paths('libp2p stream, direct WebRTC', direct),
    ws: paths('libp2p stream, WebSocket (relay)', viaWs),
    close: async () => { await Promise.all([a, b, relay].map(async (n) => { await n.stop() })) }
  }
}

/**
 * Two plain libp2p nodes (no peermesh services) linked over direct WebRTC through `relay`, with
 * @libp2p/webrtc's data channel `maxMessageSize` set: isolates the message size in libp2p's path.
 */
async function plainWebRtcPath (relay, relayWs, maxMessageSize) {
  const { createLibp2p } = await import('libp2p')
  const { webRTC } = await import('@libp2p/webrtc')
  const { webSockets } = await import('@libp2p/websockets')
  const { circuitRelayTransport } = await import('@libp2p/circuit-relay-v2')
  const { noise } = await import('@libp2p/noise')
  const { yamux } = await import('@libp2p/yamux')
  const { identify } = await import('@libp2p/identify')
  const make = async () => await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), circuitRelayTransport(), webRTC({ rtcConfiguration: { iceServers: [] }, dataChannel: { maxMessageSize } })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
  const a = await make()
  const b = await make()
  await handleLibp2pProbes(b, TOTAL)
  await a.dial(relayWs)
  await b.dial(relayWs)
  const deadline = Date.now() + 20_000
  let bWebRtc
  while ((bWebRtc = b.getMultiaddrs().find((ma) => WebRTC.exactMatch(ma))) == null) {
    if (Date.now() > deadline) throw new Error('plain node never got a /p2p-circuit/webrtc address')
    await once(b, 'self:peer:update')
  }
  const direct = await a.dial(bWebRtc)
  if (direct.limits != null || !WebRTC.exactMatch(direct.remoteAddr)) throw new Error(`not a direct WebRTC connection: ${direct.remoteAddr.toString()}`)
  return {
    name: `plain libp2p, direct WebRTC, ${maxMessageSize / 1024} KiB messages`,
    sink: async () => libp2pPipe(await direct.newStream(SINK_PROTOCOL)),
    echo: async () => libp2pPipe(await direct.newStream(ECHO_PROTOCOL)),
    close: async () => { await Promise.all([a, b].map(async (n) => { await n.stop() })) }
  }
}

async function runPaths (pathSets) {
  const results = new Map(pathSets.map((p) => [p.name, []]))
  // Interleaved: round r measures every path once, so load on the shared machine spreads evenly.
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of pathSets) {
      const sink = await path.sink()
      const { mbPerS, ms } = await measureThroughput(sink, TOTAL, CHUNK)
      const echo = await path.echo()
      const rtts = await measureRoundTrips(echo, Math.ceil(ECHOES / ROUNDS), ECHO_SIZE)
      results.get(path.name).push({ mbPerS, rtts })
      console.log(`round ${round + 1} ${path.name.padEnd(36)} ${mbPerS.toFixed(1).padStart(7)} MB/s (${ms.toFixed(0)} ms)  rtt p50 ${percentile(rtts, 50).toFixed(2)} ms`)
    }
  }
  return pathSets.map((p) => summarise(p.name, results.get(p.name)))
}

export function chartRows (path, title, rows) {
  writeBarChart(path.replace('.svg', '-throughput.svg'), {
    title: `${title}: throughput, ${args.mib} MiB in ${args['chunk-kib']} KiB writes (median of ${ROUNDS})`,
    unit: 'MB/s',
    bars: rows.map((r, i) => ({ label: r.name, value: r.mbPerS, group: i }))
  })
  writeBarChart(path.replace('.svg', '-rtt.svg'), {
    title: `${title}: round trip of a ${ECHO_SIZE}-byte echo, p50 (p95 in brackets)`,
    unit: 'ms',
    bars: rows.map((r, i) => ({ label: r.name, value: r.rttP50, note: `p95 ${r.rttP95.toFixed(2)}`, group: i }))
  })
}

const closers = []
try {
  if (!args['no-node']) {
    const tcp = await tcpPaths(); closers.push(tcp.close)
    const raw64 = await rawDataChannelPaths('raw RTCDataChannel (node-datachannel)', null); closers.push(raw64.close)
    const raw16 = await rawDataChannelPaths('raw RTCDataChannel, 16 KiB messages', 16 * 1024); closers.push(raw16.close)
    // @libp2p/webrtc's own flow control: 16 KiB messages, pause above 2 MiB buffered, resume only at 0.
    const rawLp = await rawDataChannelPaths('raw, 16 KiB, pause 2 MiB, resume at 0', 16 * 1024, 2 * 1024 * 1024, 0); closers.push(rawLp.close)
    const lp = await libp2pPaths(); closers.push(lp.close)
    console.log(`Node ↔ Node, one process: ${args.mib} MiB in ${args['chunk-kib']} KiB writes, ${ECHOES} echoes of ${ECHO_SIZE} B, ${ROUNDS} rounds interleaved`)
    const plain16 = await plainWebRtcPath(lp.relay, lp.relayWs, 16 * 1024); closers.push(plain16.close)
    const plain64 = await plainWebRtcPath(lp.relay, lp.relayWs, 64 * 1024); closers.push(plain64.close)
    const all = [tcp, raw64, raw16, rawLp, lp.webrtc, lp.ws, plain16, plain64]
    const rows = await runPaths(args.only == null ? all : all.filter((p) => p.name.includes(args.only)))
    if (args.only != null) { printTable(rows, rows[0].name); process.exit(0) }
    printTable(rows, 'raw RTCDataChannel (node-datachannel)')
    const tcpRow = rows[0]
    console.log(`\nlibp2p over WebRTC / TCP: ${(rows[4].mbPerS / tcpRow.mbPerS * 100).toFixed(0)}% throughput; libp2p over WebSocket / TCP: ${(rows[5].mbPerS / tcpRow.mbPerS * 100).toFixed(0)}%`)
    chartRows(join(root, 'docs/bench/stream-node.svg'), 'Node ↔ Node', rows)
  }
  if (args.tabs) {
    const { runTabs } = await import('./lib/bench-tabs-stream.mjs')
    const rows = await runTabs({ total: TOTAL, chunk: CHUNK, echoes: ECHOES, rounds: ROUNDS, echoSize: ECHO_SIZE, headed: args.headed, closers })
    // The baseline is the faster raw row: a raw data channel's user picks the message size that works best.
    const raws = rows.filter((r) => r.name.startsWith('raw'))
    printTable(rows, raws.reduce((best, r) => (r.mbPerS > best.mbPerS ? r : best)).name)
    chartRows(join(root, 'docs/bench/stream-tabs.svg'), 'Tab ↔ Tab (Chromium)', rows)
  }
} finally {
  for (const close of closers.reverse()) await close().catch(() => {})
}
process.exit(0)
