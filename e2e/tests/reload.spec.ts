import { test, expect } from '../fixtures/test.js'
import { expectFullMesh, peerIdsOf } from '../fixtures/mesh.js'

/** "Quickly": a reloaded tab redials the peers it knew instead of waiting for discovery. */
const backWithPeersWithinMs = 10_000

test('a reloaded tab keeps its peer ID and is back with its previous peers quickly', async ({ relay, tabs }, testInfo) => {
  const all = await tabs.openMany(3, relay)
  const ids = await peerIdsOf(all)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
  const [reloaded, ...others] = all

  const reloadedAt = Date.now()
  await reloaded!.reload()
  expect(await reloaded!.selfId(), 'the reloaded tab has the same peer ID').toBe(ids[0])
  for (const id of ids.slice(1)) {
    await reloaded!.expectConnectedTo(id, { transport: 'webrtc', timeout: backWithPeersWithinMs })
  }
  for (const other of others) await other.expectConnectedTo(ids[0]!, { transport: 'webrtc', timeout: backWithPeersWithinMs })
  testInfo.annotations.push({ type: 'back with previous peers after reload (ms)', description: String(Date.now() - reloadedAt) })
})

test('several tabs of one browser context get distinct identities, each kept across its own reload', async ({ relay, tabs }) => {
  const browserWindow = await tabs.newContext()
  const all = [
    await browserWindow.open(relay, { name: 'first tab' }),
    await browserWindow.open(relay, { name: 'second tab' }),
    await browserWindow.open(relay, { name: 'third tab' })
  ]
  const ids = await peerIdsOf(all)

  for (const [i, tab] of all.entries()) {
    await tab.reload()
    expect(await tab.selfId(), `${tab.name} keeps its peer ID across a reload`).toBe(ids[i])
  }
  expect(await peerIdsOf(all)).toEqual(ids)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
})
