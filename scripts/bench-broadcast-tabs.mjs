#!/usr/bin/env node
// Broadcast propagation between Chromium tabs (issue 14 item 3, the 8-tab half): `--tabs` tabs
// (scripts/bench-page, core's createLibp2pNode role 'browser' and core's BroadcastChannel; one
// browser, a context each) on an in-process relay; tab i dials tabs i+1 and i+3 (mod N) over
// direct WebRTC, so every tab has about 4 direct peers, as our router's browser target; then
// `--messages` messages from random tabs, one after another: time until every tab has it
// (first-seen on the machine's wall clock, performance.timeOrigin + now) and gossipsub duplicates
// per tab per message (for every message but the last, read when the next one goes out). Our
// gossipsub defaults only.
// Usage: node scripts/bench-broadcast-tabs.mjs [--tabs 8] [--messages 20]. Writes docs/bench/broadcast-tabs.svg.
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { percentile, writeBarChart } from './lib/bench-stats.mjs'
import { root } from './lib/spawn-relay.mjs'
import { openBenchTabs } from './lib/bench-tabs-stream.mjs'

const { values: args } = parseArgs({ options: { tabs: { type: 'string', default: '8' }, messages: { type: 'string', default: '20' }, headed: { type: 'boolean', default: false } } })
const N = Number(args.tabs)
const MESSAGES = Number(args.messages)
const closers = []
try {
  const { pages, relayWs } = await openBenchTabs({ count: N, headed: args.headed, closers })
  const addresses = []
  for (const page of pages) addresses.push(await page.evaluate(([r]) => window.bench.startNode(r, 1), [relayWs]))
  for (const page of pages) await page.evaluate(() => { window.bench.startBroadcast() })
  for (let i = 0; i < N; i++) {
    for (const step of [1, 3]) {
      const j = (i + step) % N
      if (j !== i) await pages[i].evaluate((a) => window.bench.dialAlso(a), addresses[j])
    }
  }
  // A state, not a sleep: every tab has at least 2 mesh peers on the topic (60 s bound).
  await Promise.all(pages.map(async (p) => { await p.waitForFunction(() => window.bench.meshSize() >= 2, null, { timeout: 60_000, polling: 100 }) }))
  const sizes = await Promise.all(pages.map(async (p) => await p.evaluate(() => window.bench.meshSize())))
  console.log(`${N} tabs, each dialled 2 others over direct WebRTC; mesh sizes ${sizes.join(',')}; ${MESSAGES} messages`)
  const times = []
  const dups = []
  let prevDup = pages.map(() => 0)
  for (let m = 0; m < MESSAGES; m++) {
    const from = m % N
    const text = `beacon ${m}`
    const sentAt = await pages[from].evaluate((t) => window.bench.send(t), text)
    const others = pages.filter((_, i) => i !== from)
    await Promise.all(others.map(async (p) => { await p.waitForFunction((t) => window.bench.seen().firstSeen[t] != null, text, { timeout: 30_000, polling: 20 }) }))
    const seen = await Promise.all(others.map(async (p) => await p.evaluate((t) => window.bench.seen().firstSeen[t], text)))
    times.push(Math.max(...seen) - sentAt)
    // duplicates trail the first copy: read them when the next message goes out (and at the end)
    const now = await Promise.all(pages.map(async (p) => (await p.evaluate(() => window.bench.seen().duplicates))))
    if (m > 0) dups.push(...now.map((d, i) => d - prevDup[i]))
    prevDup = now
  }
  const mean = dups.reduce((a, b) => a + b, 0) / dups.length
  console.log(`all ${N} tabs have it: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}); duplicates per tab per message: mean ${mean.toFixed(2)}, p99 ${percentile(dups, 99)}, max ${Math.max(...dups)}`)
  writeBarChart(join(root, 'docs/bench/broadcast-tabs.svg'), {
    title: `Broadcast between ${N} Chromium tabs (direct WebRTC): time until all have a message, ${MESSAGES} messages`,
    unit: 'ms',
    bars: [
      { label: 'p50', value: percentile(times, 50), group: 0 },
      { label: 'p99', value: percentile(times, 99), group: 1 },
      { label: 'max', value: Math.max(...times), group: 3 }
    ]
  })
} finally {
  for (const close of closers.reverse()) await close().catch(() => {})
}
process.exit(0)
