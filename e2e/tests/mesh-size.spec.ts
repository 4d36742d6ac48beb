import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test, expect } from '../fixtures/test.js'
import { directComponents, expectFullMesh, peerIdsOf, unfilledPairs } from '../fixtures/mesh.js'

test('six tabs each reach their target degree and every graph shows every node', { tag: '@desktop' }, async ({ freshRelay: relay, tabs }) => {
  // Opening six tabs one after the other is most of the time on 2 cores.
  test.setTimeout(180_000)
  const all = await tabs.openMany(6, relay)
  const ids = await peerIdsOf(all)

  // The default maxConnected leaves room for everyone: each tab links directly to the five others.
  await expectFullMesh(all, ids, { transport: 'webrtc', timeout: 45_000 })
  for (const tab of all) {
    await tab.expectConnectedTo(relay.peerId, { transport: 'websocket' })
    await tab.expectPeerCount(6)
    // Six tabs and the relay, learnt through topology sharing: 7 nodes, every pair linked
    // (15 tab links, 6 relay links).
    await tab.expectGraphNodeCount(7)
    await tab.expectGraphEdgeCount(21)
  }
})

/** A low limit, passed to the page as `?maxConnected=` (the relay link counts toward it). */
const maxConnected = 4
/** Extra slots the browser preset's peer manager may use to upgrade to a better peer. */
const upgradeSlots = 2

test('eight tabs with a low maxConnected never exceed it and stay one connected mesh', async ({ freshRelay: relay, tabs }) => {
  test.setTimeout(180_000)
  const all = await tabs.openMany(8, relay, { query: { maxConnected: String(maxConnected) } })
  const ids = await peerIdsOf(all)

  await expect.poll(async () => await unfilledPairs(all, ids, maxConnected), {
    message: 'the mesh settles: no two tabs with a free slot are left unlinked', timeout: 60_000
  }).toEqual([])
  expect(await directComponents(all, ids), 'the settled tabs form one mesh of direct links').toHaveLength(1)
  for (const tab of all) {
    const { maxPeerCount, maxConnectedRows } = await tab.maxPeerCountSeen()
    expect(maxPeerCount, `${tab.name} never counted more than ${maxConnected}+${upgradeSlots} connections`)
      .toBeLessThanOrEqual(maxConnected + upgradeSlots)
    expect(maxConnectedRows, `${tab.name} never listed more than ${maxConnected}+${upgradeSlots} connected rows`)
      .toBeLessThanOrEqual(maxConnected + upgradeSlots)
    expect(await tab.peerCount(), `${tab.name} is back within maxConnected once settled`).toBeLessThanOrEqual(maxConnected)
  }
})

/** CPU time (user + system, in clock ticks) a process has used, from /proc. */
function cpuTicks (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return Number(fields[11]) + Number(fields[12])
}

test('eight tabs with a low maxConnected settle as one mesh while another process keeps a core busy', async ({ freshRelay: relay, tabs }) => {
  test.setTimeout(240_000)
  // a process that spins on one core for the whole test, as a busy machine would
  const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  try {
    const pid = burner.pid!
    const startTicks = cpuTicks(pid)
    const all = await tabs.openMany(8, relay, { query: { maxConnected: String(maxConnected) } })
    const ids = await peerIdsOf(all)
    await expect.poll(async () => ({ components: (await directComponents(all, ids)).length, unfilled: await unfilledPairs(all, ids, maxConnected) }), {
      message: 'the mesh settles into one component in which no two tabs with a free slot are left unlinked', timeout: 120_000
    }).toEqual({ components: 1, unfilled: [] })
    // the premise: the core really was busy (the burner got CPU time all along)
    expect(burner.exitCode, 'the burner still runs').toBeNull()
    expect(cpuTicks(pid) - startTicks, 'the burner kept a core busy').toBeGreaterThan(100)
    for (const tab of all) expect(await tab.peerCount(), `${tab.name} is within maxConnected`).toBeLessThanOrEqual(maxConnected)
  } finally {
    burner.kill('SIGKILL')
  }
})
