#!/usr/bin/env node
// How long a second tab takes to join: a relay serving the web demo (port 0, temporary data dir)
// and one tab that stays open; then, round after round, a new tab opens, and the page's own
// state (its test hooks) is timed from the moment its navigation started until
//   id      it shows its peer ID (page loaded, identity slot claimed, key loaded or made),
//   relay   it is connected to the relay,
//   known   it lists the first tab (relay's peer exchange answer, or a tab-to-tab exchange),
//   direct  it is connected to the first tab over direct WebRTC;
// then it closes. Prints each round and the medians. Timing comes from the page's clock
// (performance.now() since navigation start), sampled every animation frame.
//
//   node scripts/bench-tabs.mjs [--rounds 10] [--mode context|tab] [--no-build]
//
// --mode context: each new tab is a fresh browser context (a new visitor: no stored key or peers);
// --mode tab: each new tab is one more tab of the first tab's context (a second tab of one browser).
import { parseArgs } from 'node:util'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumExecutable } from './chromium.js'
import { buildRelayAndPage, runCleanups, spawnRelay } from './lib/spawn-relay.mjs'
import { median, recordPhases, selfId } from './lib/join-phases.mjs'

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'context' },
    'no-build': { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false }
  }
})
const rounds = Number(flags.rounds)
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 200) {
  console.error(`bench-tabs: --rounds must be an integer from 1 to 200, got ${JSON.stringify(flags.rounds)}`)
  process.exit(2)
}
if (flags.mode !== 'context' && flags.mode !== 'tab') {
  console.error(`bench-tabs: --mode must be "context" or "tab", got ${JSON.stringify(flags.mode)}`)
  process.exit(2)
}
const phases = ['id', 'relay', 'known', 'direct']
const roundTimeoutMs = 60_000

async function relayKnowsWebrtcAddressOf (relay, peerId) {
  const deadline = Date.now() + roundTimeoutMs
  while (Date.now() < deadline) {
    const { peers } = await (await fetch(`${relay.http}/api/peers`)).json()
    if (peers.some((p) => p.peerId === peerId && p.addresses.some((a) => a.startsWith('webrtc+')))) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the relay did not learn a WebRTC address of ${peerId} within ${roundTimeoutMs} ms`)
}

async function main () {
  if (!flags['no-build']) await buildRelayAndPage()
  const cleanups = []
  try {
    const relay = await spawnRelay('bench-relay', ['--role', 'relay', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--serve-demo'], cleanups)
    const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: !flags.headed })
    cleanups.push(() => browser.close())
    const firstContext = await browser.newContext()
    const first = await firstContext.newPage()
    await first.goto(relay.http + '/')
    const firstId = await selfId(first, roundTimeoutMs)
    await first.waitForSelector('[data-testid=peer-row][data-state=connected][data-transport=websocket]', { timeout: roundTimeoutMs })
    // As a person would: the second tab opens once the first is settled, i.e. holds its
    // reservation and the relay knows its relayed WebRTC address.
    await relayKnowsWebrtcAddressOf(relay, firstId)
    console.error(`bench-tabs: relay ${relay.http}, first tab ${firstId}, mode ${flags.mode}, ${rounds} rounds`)

    const results = []
    for (let round = 1; round <= rounds; round++) {
      const context = flags.mode === 'tab' ? firstContext : await browser.newContext()
      const page = await context.newPage()
      await page.addInitScript(recordPhases, firstId)
      await page.goto(relay.http + '/')
      await page.waitForFunction(() => window.__joinTimes?.direct !== undefined, undefined, { timeout: roundTimeoutMs, polling: 50 })
      const times = await page.evaluate(() => window.__joinTimes)
      results.push(times)
      console.log(`round ${String(round).padStart(3)}  ` + phases.map((p) => `${p} ${Math.round(times[p])} ms`).join('  '))
      await page.close({ runBeforeUnload: true })
      if (context !== firstContext) await context.close()
      // The first tab must have let the closed tab go before the next round starts.
      await first.waitForFunction((id) => document.querySelector(`[data-testid=peer-row][data-peer-id="${id}"][data-state=connected]`) == null,
        times.selfId, { timeout: roundTimeoutMs, polling: 50 }).catch(() => {})
    }
    console.log('median  ' + phases.map((p) => `${p} ${Math.round(median(results.map((r) => r[p])))} ms`).join('  ') +
      `  (direct − id: ${Math.round(median(results.map((r) => r.direct - r.id)))} ms)`)
  } finally {
    await runCleanups(cleanups, 'bench-tabs')
  }
}

main().catch((err) => {
  console.error(`bench-tabs: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
