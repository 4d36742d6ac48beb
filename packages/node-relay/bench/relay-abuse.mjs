#!/usr/bin/env node
/**
 * The relay under abuse, measured: a real relay process (dist/bin.js, or --bin <path>) on
 * loopback, attacked with real sockets; prints the figures docs/RELIABILITY.md quotes.
 *
 *   npm run build -w @peermesh/node-relay && node packages/node-relay/bench/relay-abuse.mjs [--bin <bin.js>] [--rounds 20]
 *
 * 1. /healthz latency (median and worst of `rounds` requests, and how many failed within 2 s)
 *    with no attack, then while 1,100 idle sockets from 40 addresses are held.
 * 2. How many of 50 WebSocket-port sockets that never send a byte are still open after 10 s and 20 s.
 * 3. How long an honest `--role peer` process takes to be connected to the relay while one
 *    address keeps 30 WebSockets open that never speak (60 s cap).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { destroyAll, openCount, silentSockets, silentSocketsFromMany, timedGet, upgradedSilentSocket } from './abuse-sockets.mjs'

const { values } = parseArgs({ options: { bin: { type: 'string' }, rounds: { type: 'string', default: '20' } } })
const BIN = values.bin ?? fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const ROUNDS = Number(values.rounds)
const dirs = []
const children = []

async function start (args) {
  const dir = await mkdtemp(join(tmpdir(), 'peermesh-abuse-bench-'))
  dirs.push(dir)
  const child = spawn(process.execPath, [BIN, ...args, '--http', '127.0.0.1:0', '--log-format', 'json', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] })
  children.push(child)
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', code => { reject(new Error(`exited with ${code} before ready`)) })
  })
  return JSON.parse(line)
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function healthzSeries (http) {
  const ms = []
  let failed = 0
  for (let i = 0; i < ROUNDS; i++) {
    try {
      const r = await timedGet(`${http}/healthz`, 2_000)
      if (r.status === 200) ms.push(r.ms); else failed++
    } catch {
      failed++
    }
  }
  return { medianMs: ms.length > 0 ? Number(median(ms).toFixed(1)) : null, worstMs: ms.length > 0 ? Number(Math.max(...ms).toFixed(1)) : null, failed, of: ROUNDS }
}

async function until (predicate, capMs) {
  const startedAt = performance.now()
  while (!(await predicate())) {
    if (performance.now() - startedAt > capMs) return null
    await sleep(100)
  }
  return Math.round(performance.now() - startedAt)
}

try {
  const relay = await start(['--listen', '/ip4/127.0.0.1/tcp/0/ws'])
  const httpPort = Number(new URL(relay.http).port)
  const wsPort = Number(relay.multiaddrs.find(ma => ma.includes('/ws')).split('/')[4])
  const result = { bin: BIN, rounds: ROUNDS }

  result.healthzIdle = await healthzSeries(relay.http)
  const idle = await silentSocketsFromMany(httpPort, 40, 28)
  await sleep(200)
  result.idleSocketsHeld = openCount(idle)
  result.healthzUnder1100IdleSockets = await healthzSeries(relay.http)
  destroyAll(idle)

  const silent = await silentSockets(wsPort, 50, '127.0.0.4')
  await sleep(10_000)
  result.silentWsOpenAfter10s = openCount(silent)
  await sleep(10_000)
  result.silentWsOpenAfter20s = openCount(silent)
  destroyAll(silent)

  const attack = []
  let stop = false
  const attacker = (async () => {
    while (!stop) {
      if (openCount(attack) >= 30) { await sleep(5); continue }
      attack.push((await upgradedSilentSocket(wsPort, '127.0.0.5')).socket)
    }
  })()
  await sleep(2_000)
  const peer = await start(['--role', 'peer', '--bootstrap', relay.addresses[0]])
  const joinMs = await until(async () => {
    const { peers } = await (await fetch(`${relay.http}/api/peers`)).json()
    return peers.some(p => p.peerId === peer.peerId && p.state === 'connected')
  }, 60_000)
  result.honestJoinMsUnderWsAttack = joinMs ?? 'not within 60 s'
  stop = true
  await attacker
  destroyAll(attack)
  console.log(JSON.stringify(result, null, 2))
} finally {
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(dirs.map(dir => rm(dir, { recursive: true, force: true })))
}
