#!/usr/bin/env node
// Takes docs/mesh.png: a relay serving the web demo (port 0, temporary data dir), a Node.js peer,
// and several tabs of headless Chromium that find each other and connect; the picture is taken
// once every tab shows every other tab connected over direct WebRTC, the chat went round, and
// the graph layout has settled. Every wait is for a state the page shows, never for a time.
//
//   node scripts/screenshot.mjs [--tabs 3] [--node-peers 1] [--out docs/mesh.png] [--no-build]
//
// Builds what it needs first (turbo; cached when nothing changed). Chromium comes from
// scripts/chromium.js (PEERMESH_CHROMIUM, /usr/bin/chromium, or Playwright's own).
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright'
import { chromiumArgs, chromiumExecutable } from './chromium.js'
import { buildRelayAndPage, root, runCleanups, spawnRelay } from './lib/spawn-relay.mjs'

const { values: flags } = parseArgs({
  options: {
    tabs: { type: 'string', default: '3' },
    'node-peers': { type: 'string', default: '1' },
    out: { type: 'string', default: 'docs/mesh.png' },
    'no-build': { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '120000' }
  }
})
const tabCount = boundedInt(flags.tabs, 'tabs', 2, 8)
const nodePeerCount = boundedInt(flags['node-peers'], 'node-peers', 0, 3)
const timeoutMs = boundedInt(flags['timeout-ms'], 'timeout-ms', 5000, 600_000)
const outFile = resolve(root, flags.out)

function boundedInt (text, name, min, max) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`screenshot: --${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)
    process.exit(2)
  }
  return value
}

function step (text) {
  console.error(`screenshot: ${text}`)
}

/**
 * Waits until `predicate(arg)`, evaluated in the page, is truthy (Playwright re-evaluates it in the
 * page every 100 ms); on timeout the error says what was awaited and what `describe`
 * read last.
 */
async function waitInPage (page, what, predicate, arg, deadline, describe) {
  try {
    return await (await page.waitForFunction(predicate, arg, { timeout: Math.max(1, deadline - Date.now()), polling: 100 })).jsonValue()
  } catch (err) {
    const seen = describe === undefined ? '' : `; last seen: ${JSON.stringify(await page.evaluate(describe, arg).catch(() => 'unreadable'))}`
    throw new Error(`timed out waiting until ${what}${seen}`, { cause: err })
  }
}

async function main () {
  if (!flags['no-build']) {
    step('building the relay and the page (turbo; cached when unchanged)')
    await buildRelayAndPage()
  }

  const cleanups = []
  try {
    step('starting a relay that serves the page')
    const relay = await spawnRelay('relay', ['--role', 'relay', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--serve-demo'], cleanups)
    step(`relay ${relay.peerId} at ${relay.http}`)

    const nodePeers = []
    for (let i = 0; i < nodePeerCount; i++) {
      const peer = await spawnRelay(`node-peer-${i}`, ['--role', 'peer', ...relay.addresses.flatMap((a) => ['--bootstrap', a])], cleanups)
      step(`Node.js peer ${peer.peerId}`)
      nodePeers.push(peer)
    }

    const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: chromiumArgs, headless: true })
    cleanups.push(() => browser.close())
    // One context: the tabs share an origin and its storage, and get their own identities
    // through the page's identity slots, as tabs of one desktop browser do.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })
    const pages = []
    for (let i = 0; i < tabCount; i++) {
      const page = await context.newPage()
      page.on('pageerror', (err) => { console.error(`tab ${i}: ${err.name}: ${err.message}`) })
      await page.goto(relay.http + '/')
      pages.push(page)
    }
    const deadline = Date.now() + timeoutMs
    const ids = []
    for (const [i, page] of pages.entries()) {
      ids.push(await waitInPage(page, `tab ${i + 1} shows its peer ID`, () => {
        const text = document.querySelector('[data-testid=self-id]')?.textContent?.trim() ?? ''
        return /^[1-9A-HJ-NP-Za-km-z]{46,}$/.test(text) ? text : false
      }, undefined, deadline, () => document.querySelector('#status')?.textContent))
    }
    step(`tabs: ${ids.join(', ')}`)

    step('waiting until every tab is connected to every other tab over direct WebRTC')
    for (const [i, page] of pages.entries()) {
      const others = ids.filter((id) => id !== ids[i])
      await waitInPage(page, `tab ${i + 1} has direct WebRTC links to all other tabs`, (others) => {
        const direct = [...document.querySelectorAll('[data-testid=peer-row][data-state=connected][data-transport=webrtc]')]
          .map((row) => row.getAttribute('data-peer-id'))
        return others.every((id) => direct.includes(id))
      }, others, deadline,
        () => [...document.querySelectorAll('[data-testid=peer-row]')].map((row) => ({ ...row.dataset })))
    }

    step('sending a chat message from every tab and Node.js peer')
    for (const [i, page] of pages.entries()) {
      await page.getByTestId('chat-input').fill(`hello from tab ${i + 1}`)
      await page.getByTestId('chat-send').click()
    }
    for (const [i, peer] of nodePeers.entries()) peer.child.stdin.write(`hello from Node.js peer ${i + 1}\n`)
    const shot = pages[0]
    const expectedMessages = tabCount + nodePeerCount
    await waitInPage(shot, `the first tab shows ${expectedMessages} chat messages`,
      (n) => document.querySelectorAll('[data-testid=chat-message]').length >= n, expectedMessages, deadline,
      () => document.querySelectorAll('[data-testid=chat-message]').length)

    step('waiting until the graph shows every peer and its layout has settled')
    const expectedNodes = tabCount + nodePeerCount + 1
    const readGraph = () => {
      const graph = document.querySelector('[data-testid=graph]')
      return { nodes: Number(graph?.getAttribute('data-node-count')), edges: Number(graph?.getAttribute('data-edge-count')), layout: graph?.getAttribute('data-layout') }
    }
    const graph = await waitInPage(shot, `the graph shows ${expectedNodes} peers and its layout has settled`,
      ({ nodes, edges }) => {
        const el = document.querySelector('[data-testid=graph]')
        const seen = { nodes: Number(el?.getAttribute('data-node-count')), edges: Number(el?.getAttribute('data-edge-count')) }
        return seen.nodes >= nodes && seen.edges >= edges && el?.getAttribute('data-layout') === 'settled' ? seen : false
      }, { nodes: expectedNodes, edges: tabCount * (tabCount - 1) / 2 }, deadline, readGraph)
    step(`graph: ${graph.nodes} nodes, ${graph.edges} edges`)

    await mkdir(dirname(outFile), { recursive: true })
    await shot.bringToFront()
    await shot.evaluate(() => { if (document.activeElement instanceof HTMLElement) document.activeElement.blur() })
    await shot.screenshot({ path: outFile, fullPage: true })
    step(`wrote ${outFile}`)
  } finally {
    await runCleanups(cleanups, 'screenshot')
  }
}

main().catch((err) => {
  console.error(`screenshot: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
