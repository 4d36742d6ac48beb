import { test, expect } from '../fixtures/test.js'
import { expectFullMesh, peerIdsOf } from '../fixtures/mesh.js'
import { short } from '../fixtures/mesh-page.js'

/** "Quickly": a reloaded tab redials the peers it knew instead of waiting for discovery. */
const backWithPeersWithinMs = 10_000

test('a reloaded tab keeps its peer ID and is back with its previous peers quickly', { tag: '@desktop' }, async ({ relay, tabs }, testInfo) => {
  const all = await tabs.openMany(3, relay)
  const ids = await peerIdsOf(all)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
  const [reloaded, ...others] = all

  const reloadedAt = Date.now()
  await reloaded!.reload()
  expect(await reloaded!.selfId(), 'the reloaded tab has the same peer ID').toBe(ids[0])
  // One deadline for all links, counted from the reload.
  await expect.poll(async () => {
    const missing: string[] = []
    const mine = await reloaded!.connectedPeerIds('webrtc')
    for (const id of ids.slice(1)) if (!mine.includes(id)) missing.push(`${reloaded!.name} → ${short(id)}`)
    for (const other of others) {
      if (!(await other.connectedPeerIds('webrtc')).includes(ids[0]!)) missing.push(`${other.name} → ${short(ids[0]!)}`)
    }
    return missing
  }, {
    message: `the reloaded tab and its previous peers are linked over WebRTC again within ${backWithPeersWithinMs} ms`,
    timeout: Math.max(1, backWithPeersWithinMs - (Date.now() - reloadedAt))
  }).toEqual([])
  testInfo.annotations.push({ type: 'back with previous peers after reload (ms)', description: String(Date.now() - reloadedAt) })
})

test('several tabs of one browser context get distinct identities, each kept across its own reload', { tag: '@desktop' }, async ({ relay, tabs }) => {
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
  // Distinct identities in one origin are distinct peers: they link up with each other (after
  // the reloads, so with the time their neighbours need to notice the old connections are gone).
  await expectFullMesh(all, ids, { transport: 'webrtc', timeout: 30_000 })
})
