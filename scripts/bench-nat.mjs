#!/usr/bin/env node
// How long a tab behind a NAT takes to link directly, in the NAT lab (e2e/nat/lab.js; as root):
// the lab's networks, its coturn and a relay serving the page (STUN + TURN with REST credentials)
// in the "internet"; a first tab in home a stays open; then, round after round, a new visitor
// (a fresh browser context) opens the page
//   home     in home b, behind the other home NAT: a direct link (server-reflexive candidates);
//   turn     in home c, behind the symmetric NAT: a link through TURN;
// and is timed from its navigation start (the page's clock, sampled every animation frame) until
//   id       it shows its peer ID,
//   relay    it is connected to the relay,
//   direct   it lists the first tab as connected over WebRTC (ICE has selected a pair),
// and the candidate types the page then shows for that link are recorded (for a home-NAT link
// that went through TURN, whether and when it moves to a direct pair within 30 s). Also times the lab's
// set-up and coturn's start. Prints each round and the medians.
//
//   node scripts/bench-nat.mjs [--rounds 5] [--no-build]
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumExecutable } from './chromium.js'
import { buildRelayAndPage, runCleanups, spawnRelay } from './lib/spawn-relay.mjs'
import { median, recordPhases, selfId } from './lib/join-phases.mjs'
import { cannotRunReason, coturnCommand, coturnConfig, homeByName, INET, SERVER_IP, setup, teardown, TURN_PORT } from '../e2e/nat/lab.js'

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'no-build': { type: 'boolean', default: false }
  }
})
const rounds = Number(flags.rounds)
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
  console.error(`bench-nat: --rounds must be an integer from 1 to 100, got ${JSON.stringify(flags.rounds)}`)
  process.exit(2)
}
const phases = ['id', 'relay', 'direct']
const timeoutMs = 60_000

async function waitFor (what, check) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Chromium inside a home's namespace, driven over Playwright's pipe (as e2e/nat/fixtures.ts does). */
async function homeBrowser (dir, name, origin) {
  const home = homeByName(name)
  const wrapper = join(dir, `chromium-${name}.sh`)
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${home.netns} ${chromiumExecutable()} "$@"\n`)
  await chmod(wrapper, 0o755)
  return await chromium.launch({ executablePath: wrapper, headless: true, args: [...chromiumArgs, `--unsafely-treat-insecure-origin-as-secure=${origin}`] })
}

async function main () {
  const reason = cannotRunReason()
  if (reason !== undefined) throw new Error(reason)
  if (!flags['no-build']) await buildRelayAndPage()
  const cleanups = [() => teardown()]
  try {
    let started = performance.now()
    setup()
    const labMs = performance.now() - started

    const dir = await mkdtemp(join(tmpdir(), 'peermesh-nat-bench-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const secret = randomBytes(18).toString('base64url')
    const config = join(dir, 'turnserver.conf')
    await writeFile(config, coturnConfig({ dir, secret }), { mode: 0o600 })
    started = performance.now()
    const [file, ...args] = coturnCommand(config)
    const turn = spawn(file, args, { stdio: 'ignore' })
    cleanups.push(() => { turn.kill('SIGTERM') })
    await waitFor('coturn listens', () => spawnSync('ip', ['netns', 'exec', INET, 'ss', '-Hlun'], { encoding: 'utf8' }).stdout.includes(`${SERVER_IP}:${TURN_PORT}`))
    const turnMs = performance.now() - started

    const relay = await spawnRelay('nat-bench-relay', [
      '--role', 'relay', '--listen', `/ip4/${SERVER_IP}/tcp/0/ws`, '--serve-demo',
      '--ice-servers', `stun:${SERVER_IP}:${TURN_PORT},turn:${SERVER_IP}:${TURN_PORT}?transport=udp`
    ], cleanups, { netns: INET, host: SERVER_IP, env: { PEERMESH_TURN_SECRET: secret } })
    const origin = new URL(relay.http).origin
    const browsers = {}
    for (const name of ['a', 'b', 'c']) {
      browsers[name] = await homeBrowser(dir, name, origin)
      cleanups.push(() => browsers[name].close())
    }
    const first = await (await browsers.a.newContext()).newPage()
    await first.goto(`${relay.http}/`)
    const firstId = await selfId(first, timeoutMs)
    await first.waitForSelector('[data-testid=peer-row][data-state=connected][data-transport=websocket]', { timeout: timeoutMs })
    console.error(`bench-nat: lab set-up ${Math.round(labMs)} ms, coturn listening after ${Math.round(turnMs)} ms; relay ${relay.http}, first tab ${firstId} in home a, ${rounds} rounds`)

    const results = { home: [], turn: [] }
    for (let round = 1; round <= rounds; round++) {
      for (const [kind, home] of [['home', 'b'], ['turn', 'c']]) {
        const context = await browsers[home].newContext()
        const page = await context.newPage()
        await page.addInitScript(recordPhases, firstId)
        await page.goto(`${relay.http}/`)
        await page.waitForFunction(() => window.__joinTimes?.direct !== undefined, undefined, { timeout: timeoutMs, polling: 50 })
        const times = await page.evaluate(() => window.__joinTimes)
        // The page reads the candidate pair from getStats() once a second.
        const row = page.locator(`[data-testid=peer-row][data-peer-id="${firstId}"][data-candidate-remote]`)
        await row.waitFor({ timeout: timeoutMs })
        times.pair = `${await row.getAttribute('data-candidate-local')} ↔ ${await row.getAttribute('data-candidate-remote')}`
        if (kind === 'home' && times.pair.includes('relay')) {
          // Does ICE move a relayed home-to-home link to the direct pair later? Watch for 30 s.
          const direct = page.locator(`[data-testid=peer-row][data-peer-id="${firstId}"][data-candidate-remote]:not([data-via-turn=true])`)
          const switched = await direct.waitFor({ timeout: 30_000 }).then(() => true, () => false)
          times.pair += switched
            ? `, then ${await direct.getAttribute('data-candidate-local')} ↔ ${await direct.getAttribute('data-candidate-remote')} after ${Math.round(await page.evaluate(() => performance.now()) - times.direct)} ms`
            : ', still through TURN 30 s later'
        }
        results[kind].push(times)
        console.log(`round ${String(round).padStart(3)}  ${kind.padEnd(4)} (home ${home})  ` + phases.map((p) => `${p} ${Math.round(times[p])} ms`).join('  ') + `  pair ${times.pair}`)
        const ownId = await selfId(page, timeoutMs)
        await page.close({ runBeforeUnload: true })
        await context.close()
        await first.waitForFunction((id) => document.querySelector(`[data-testid=peer-row][data-peer-id="${id}"][data-state=connected]`) == null,
          ownId, { timeout: timeoutMs, polling: 50 }).catch(() => {})
      }
    }
    for (const kind of ['home', 'turn']) {
      const counts = new Map()
      for (const { pair } of results[kind]) {
        const first = pair.replace(/, (then|still).*$/, '')
        const label = pair.includes(', then') ? `${first} then direct` : pair.includes(', still') ? `${first} for 30 s+` : first
        counts.set(label, (counts.get(label) ?? 0) + 1)
      }
      const pairs = [...counts].map(([label, n]) => `${label} ${n}×`).join(', ')
      console.log(`median ${kind.padEnd(4)} ` + phases.map((p) => `${p} ${Math.round(median(results[kind].map((r) => r[p])))} ms`).join('  ') +
        `  (direct − id: ${Math.round(median(results[kind].map((r) => r.direct - r.id)))} ms; pairs: ${pairs})`)
    }
    console.log(`lab set-up ${Math.round(labMs)} ms, coturn listening after ${Math.round(turnMs)} ms`)
  } finally {
    await runCleanups(cleanups, 'bench-nat')
  }
}

main().catch((err) => {
  console.error(`bench-nat: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
