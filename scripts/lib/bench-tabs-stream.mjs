// Tab ↔ Tab half of scripts/bench-stream.mjs: builds scripts/bench-page with vite into a
// temporary directory, serves it on 127.0.0.1 (port 0), starts an in-process relay, opens two
// Chromium tabs (one browser, two contexts), links them over direct WebRTC through the relay
// (libp2p) and with a raw RTCPeerConnection signalled by this process, and measures both in
// interleaved rounds.
import { once } from 'node:events'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { chromium } from 'playwright'
import { build } from 'vite'
import { chromiumArgs, chromiumExecutable } from '../chromium.js'
import { percentile } from './bench-stats.mjs'
import { root } from './spawn-relay.mjs'

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' }

/**
 * Builds scripts/bench-page, serves it, starts an in-process relay and opens `count` tabs (one
 * browser, a context each) with the page loaded. Cleanups go to `closers`.
 */
export async function openBenchTabs ({ count, headed, closers }) {
  const outDir = await mkdtemp(join(tmpdir(), 'peermesh-bench-page-'))
  closers.push(async () => { await rm(outDir, { recursive: true, force: true }) })
  await build({ root: join(root, 'scripts/bench-page'), base: './', logLevel: 'warn', configFile: false, build: { outDir, target: 'es2022', emptyOutDir: true, chunkSizeWarningLimit: 5000 } })
  const server = createServer(async (req, res) => {
    const path = join(outDir, new URL(req.url, 'http://x').pathname.replace(/^\/$/, '/index.html'))
    try {
      const body = await readFile(path)
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body)
    } catch { res.writeHead(404).end() }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(async () => { server.close() })

  const { createLibp2pNode } = await import(join(root, 'packages/core/dist/index.js'))
  const relay = await createLibp2pNode({ role: 'relay', privateKey: await generateKeyPair('Ed25519'), iceServers: [], start: true })
  closers.push(async () => { await relay.stop() })
  const relayWs = relay.getMultiaddrs().find((ma) => WebSockets.exactMatch(ma)).toString()

  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: headed !== true })
  closers.push(async () => { await browser.close() })
  const pages = []
  for (let i = 0; i < count; i++) {
    const page = await (await browser.newContext()).newPage()
    page.on('pageerror', (e) => { console.error(`tab ${i}: ${e.message}`) })
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.waitForFunction(() => window.benchReady === true)
    pages.push(page)
  }
  return { pages, relayWs }
}

export async function runTabs ({ total, chunk, echoes, rounds, echoSize, headed, closers }) {
  const { pages, relayWs } = await openBenchTabs({ count: 2, headed, closers })
  const [a, b] = pages
  await a.evaluate(([r, t]) => window.bench.startNode(r, t), [relayWs, total])
  const bAddress = await b.evaluate(([r, t]) => window.bench.startNode(r, t), [relayWs, total])
  const libp2pRemote = await a.evaluate((addr) => window.bench.dialDirect(addr), bAddress)
  const offer = await a.evaluate(() => window.bench.rawOffer())
  const answer = await b.evaluate((o) => window.bench.rawAnswer(o), offer)
  const rawPair = await a.evaluate((ans) => window.bench.rawFinish(ans), answer)
  console.log(`\nTab ↔ Tab (headless Chromium, two contexts of one browser): libp2p direct to ${libp2pRemote}; raw pair ${rawPair}`)
  console.log(`${total / 1024 / 1024} MiB in ${chunk / 1024} KiB writes, ${echoes} echoes of ${echoSize} B, ${rounds} rounds interleaved`)

  const names = { raw: 'raw RTCDataChannel (tabs)', raw16: 'raw RTCDataChannel, 16 KiB messages (tabs)', libp2p: 'libp2p stream, direct WebRTC (tabs)' }
  const kinds = Object.keys(names)
  const results = { raw: [], raw16: [], libp2p: [] }
  const perRound = Math.ceil(echoes / rounds)
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      const r = await a.evaluate(([k, t, c, e, s]) => k === 'raw16' ? window.bench.raw(t, c, e, s, 16 * 1024) : window.bench[k](t, c, e, s), [kind, total, chunk, perRound, echoSize])
      results[kind].push(r)
      console.log(`round ${round + 1} ${names[kind].padEnd(44)} ${r.mbPerS.toFixed(1).padStart(7)} MB/s  rtt p50 ${percentile(r.rtts, 50).toFixed(2)} ms`)
    }
  }
  return kinds.map((kind) => {
    const mb = results[kind].map((r) => r.mbPerS).sort((x, y) => x - y)
    const rtt = results[kind].flatMap((r) => r.rtts)
    return { name: names[kind], mbPerS: mb[Math.floor(mb.length / 2)], rounds: mb, rttP50: percentile(rtt, 50), rttP95: percentile(rtt, 95) }
  })
}
