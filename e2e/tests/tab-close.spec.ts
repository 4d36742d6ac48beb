import { test, expect } from '../fixtures/test.js'
import { directLinks, peerIdsOf, unfilledPairs } from '../fixtures/mesh.js'
import type { MeshPage } from '../fixtures/mesh-page.js'

/** "Promptly": a tab closed cleanly says goodbye; nobody waits for ICE to notice. */
const goneWithinMs = 3_000
/** Fewer slots than tabs, so closing one leaves its neighbours with a slot to fill. */
const maxConnected = 3

test('when a tab closes, its peers mark it gone promptly and replace it', async ({ freshRelay: relay, tabs }, testInfo) => {
  const all = await tabs.openMany(5, relay, { query: { maxConnected: String(maxConnected) } })
  const ids = await peerIdsOf(all)
  await expect.poll(async () => await unfilledPairs(all, ids, maxConnected), {
    message: 'the mesh settles: no two tabs with a free slot are left unlinked', timeout: 60_000
  }).toEqual([])

  // Close a tab whose neighbours are not linked to each other: they can only replace it if the
  // page actively redials.
  const links = await directLinks(all, ids)
  const closingIndex = Math.max(0, ids.findIndex(id => {
    const around = [...links.get(id)!]
    return around.length >= 2 && around.some(a => around.some(b => a !== b && !links.get(a)!.has(b)))
  }))
  const closing = all[closingIndex]!
  const closingId = ids[closingIndex]!
  const staying = all.filter(tab => tab !== closing)
  const stayingIds = ids.filter(id => id !== closingId)
  const neighbours: Array<{ tab: MeshPage, id: string, linksBefore: Set<string> }> = []
  for (const [i, tab] of staying.entries()) {
    const id = stayingIds[i]!
    if (links.get(id)!.has(closingId)) neighbours.push({ tab, id, linksBefore: new Set(links.get(id)) })
  }
  expect(neighbours.length, 'the closing tab has neighbours').toBeGreaterThan(0)

  const closedAt = Date.now()
  await closing.close()
  // One deadline for every neighbour, counted from the close.
  await expect.poll(async () => {
    const stillConnected: string[] = []
    for (const { tab } of neighbours) if ((await tab.connectedPeerIds()).includes(closingId)) stillConnected.push(tab.name)
    return stillConnected
  }, { message: `every neighbour marks the closed tab gone within ${goneWithinMs} ms`, timeout: goneWithinMs }).toEqual([])
  testInfo.annotations.push({ type: 'closed tab marked gone by every neighbour after (ms)', description: String(Date.now() - closedAt) })

  await expect.poll(async () => await unfilledPairs(staying, stayingIds, maxConnected), {
    message: 'the neighbours fill the freed slots with other tabs that have room', timeout: 30_000
  }).toEqual([])
  const after = await directLinks(staying, stayingIds)
  const replaced = neighbours.filter(({ id, linksBefore }) => [...after.get(id)!].some(peer => !linksBefore.has(peer)))
  const couldReplace = neighbours.some(a => neighbours.some(b => a !== b && !a.linksBefore.has(b.id)))
  if (couldReplace) expect(replaced.length, 'a neighbour linked to a tab it was not linked to before').toBeGreaterThan(0)
})
