#!/usr/bin/env node
// Relay capacity (issue 14 item 4): one `peermesh-relay` process (the built CLI, port 0), and
// WebSocket clients holding reservations on it, added in steps by a few worker processes
// (scripts/lib/relay-clients.mjs: lightweight libp2p nodes). At each step: clients that got a
// reservation and those refused, how many the workers still hold connected, the relay's RSS
// (/proc) and CPU share over a quiet window, and `/healthz` latency p50/p99 (sequential GETs).
// Usage: node scripts/bench-relay.mjs [--steps 50,100,200,400,700,1000] [--workers 4]
//        [--max-connections 256] [--max-reservations 4096] [--healthz 100] [--rate 6 (new clients/s)]
// Writes docs/bench/relay-capacity.svg. Linux only (reads /proc).
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { percentile, writeLineChart } from './lib/bench-stats.mjs'
import { root, runCleanups, spawnRelay } from './lib/spawn-relay.mjs'

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '50,100,200,400,700,1000' },
    workers: { type: 'string', default: '4' },
    'max-connections': { type: 'string', default: '256' },
    'max-reservations': { type: 'string', default: '4096' },
    healthz: { type: 'string', default: '100' },
    'window-ms': { type: 'string', default: '5000' },
    // new clients per second, all workers together (each client has its own loopback address)
    rate: { type: 'string', default: '6' }
  }
})
const STEPS = args.steps.split(',').map(Number)
const WORKERS = Number(args.workers)
const TICKS = 100 // USER_HZ on Linux

function rssKiB (pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])
}
function cpuTicks (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}
async function healthz (http, count) {
  const times = []
  let failures = 0
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    try {
      const res = await fetch(`${http}/healthz`, { signal: AbortSignal.timeout(5000) })
      await res.text()
      if (!res.ok) failures++
    } catch { failures++ }
    times.push(performance.now() - start)
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), failures }
}

const cleanups = []
const rows = []
try {
  const relay = await spawnRelay('bench-relay', ['--listen', '/ip4/127.0.0.1/tcp/0/ws',
    '--max-connections', args['max-connections'], '--max-reservations', args['max-reservations'], '--log-level', 'warn'], cleanups)
  const pid = relay.child.pid
  const relayWs = relay.multiaddrs.find((ma) => ma.includes('/ws/'))
  const http = relay.http.startsWith('http') ? relay.http : `http://${relay.http}`
  console.log(`relay pid ${pid} at ${relayWs}, http ${http}; --max-connections ${args['max-connections']} --max-reservations ${args['max-reservations']}; ${WORKERS} client workers`)
  const workers = []
  for (let i = 0; i < WORKERS; i++) {
    const w = fork(join(root, 'scripts/lib/relay-clients.mjs'), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, PEERMESH_BENCH_WORKER: String(i) } })
    cleanups.push(async () => { if (w.exitCode === null) { w.send({ stop: true }); await Promise.race([once(w, 'exit'), new Promise((r) => setTimeout(r, 10_000))]); w.kill('SIGKILL') } })
    await once(w, 'message')
    workers.push(w)
  }
  const base = { rss: rssKiB(pid), health: await healthz(http, Number(args.healthz)) }
  console.log(`0 clients: RSS ${(base.rss / 1024).toFixed(1)} MiB, /healthz p50 ${base.health.p50.toFixed(1)} ms p99 ${base.health.p99.toFixed(1)} ms`)
  rows.push({ target: 0, reserved: 0, refused: 0, held: 0, rssMiB: base.rss / 1024, perClientKiB: NaN, cpu: NaN, p50: base.health.p50, p99: base.health.p99, healthFailures: base.health.failures })
  let total = 0
  let reservedTotal = 0
  let refusedTotal = 0
  for (const target of STEPS) {
    const add = target - total
    const shares = workers.map((_, i) => Math.floor(add / WORKERS) + (i < add % WORKERS ? 1 : 0))
    const answers = await Promise.all(workers.map(async (w, i) => {
      const answer = once(w, 'message')
      // the workers' starts interleave evenly: worker i starts i/WORKERS of an interval late
      const intervalMs = 1000 * WORKERS / Number(args.rate)
      w.send({ add: shares[i], relay: relayWs, intervalMs, offsetMs: (i * intervalMs) / WORKERS })
      return (await answer)[0]
    }))
    total = target
    reservedTotal += answers.reduce((a, r) => a + r.reserved, 0)
    refusedTotal += answers.reduce((a, r) => a + r.failed, 0)
    const reasons = {}
    for (const a of answers) for (const [k, v] of Object.entries(a.reasons)) reasons[k] = (reasons[k] ?? 0) + v
    // A quiet window: CPU share of the relay while the clients only hold their reservations.
    const t0 = cpuTicks(pid); const w0 = performance.now()
    const health = await healthz(http, Number(args.healthz))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(args['window-ms']) - (performance.now() - w0))))
    const cpu = (cpuTicks(pid) - t0) / TICKS / ((performance.now() - w0) / 1000) * 100
    // Ask the workers how many clients are still connected (a step with add: 0).
    const held = (await Promise.all(workers.map(async (w) => { const a = once(w, 'message'); w.send({ add: 0, relay: relayWs }); return (await a)[0].connected }))).reduce((a, b) => a + b, 0)
    const rss = rssKiB(pid)
    const prev = rows[rows.length - 1]
    const row = {
      marginalKiB: held > prev.held ? (rss - prev.rssMiB * 1024) / (held - prev.held) : NaN,
      target, reserved: reservedTotal, refused: refusedTotal, held, rssMiB: rss / 1024,
      perClientKiB: held > 0 ? (rss - base.rss) / held : NaN, cpu, p50: health.p50, p99: health.p99, healthFailures: health.failures
    }
    rows.push(row)
    console.log(`${target} clients tried: ${reservedTotal} reserved, ${refusedTotal} refused, ${held} still connected; RSS ${row.rssMiB.toFixed(1)} MiB ` +
      `(${row.perClientKiB.toFixed(0)} KiB per connected client over the empty relay, ${row.marginalKiB.toFixed(0)} KiB per client added this step), CPU ${cpu.toFixed(0)}%, /healthz p50 ${health.p50.toFixed(1)} ms p99 ${health.p99.toFixed(1)} ms` +
      (health.failures > 0 ? ` (${health.failures} failed)` : '') + (Object.keys(reasons).length > 0 ? `; refusals: ${JSON.stringify(reasons)}` : ''))
    const refusedNow = answers.reduce((a, r) => a + r.failed, 0)
    if (refusedNow > add / 2) {
      console.log(`stopping: the relay refused ${refusedNow} of the ${add} clients added at this step`)
      break
    }
  }
  console.log('\n| clients tried | reserved (total) | refused (total) | connected | relay RSS | KiB / connected client | KiB / client added | relay CPU | /healthz p50 | /healthz p99 |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    console.log(`| ${r.target} | ${r.reserved} | ${r.refused} | ${r.held} | ${r.rssMiB.toFixed(1)} MiB | ${Number.isNaN(r.perClientKiB) ? '–' : r.perClientKiB.toFixed(0)} | ${Number.isNaN(r.marginalKiB ?? NaN) ? '–' : r.marginalKiB.toFixed(0)} | ${Number.isNaN(r.cpu) ? '–' : r.cpu.toFixed(0) + '%'} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`)
  }
  writeLineChart(join(root, 'docs/bench/relay-capacity.svg'), {
    title: 'One relay: RSS and /healthz latency against clients holding reservations',
    xLabel: 'clients tried',
    leftLabel: 'relay RSS (MiB)',
    rightLabel: '/healthz (ms)',
    series: [
      { name: 'relay RSS, MiB', points: rows.map((r) => [r.target, r.rssMiB]) },
      { name: 'clients connected (÷10)', points: rows.map((r) => [r.target, r.held / 10]) },
      { name: '/healthz p99, ms', axis: 'right', points: rows.map((r) => [r.target, r.p99]) },
      { name: '/healthz p50, ms', axis: 'right', points: rows.map((r) => [r.target, r.p50]) }
    ]
  })
} finally {
  await runCleanups(cleanups, 'bench-relay')
}
process.exit(0)
