import { test, expect } from '../fixtures/test.js'
import { directComponents, directLinks, peerIdsOf, unfilledPairs } from '../fixtures/mesh.js'
import type { MeshPage } from '../fixtures/mesh-page.js'

/** "Promptly": a tab closed cleanly says goodbye; nobody waits for ICE to notice. */
const goneWithinMs = 3_000
/** Fewer slots than tabs, so closing one leaves its neighbours with a slot to fill. */
const maxConnected = 3

test('when a tab closes, its peers mark it gone promptly and replace it', async ({ freshRelay: relay, tabs }, testInfo) => {
  const all = await tabs.openMany(5, relay, { query: { maxConnected: String(maxConnected) } })
  const ids = await peerIdsOf(all)
  // Settled: one mesh (a full clique beside a linked pair is not: the mesh rewires until the two
  // groups join), and no two tabs with a free slot left unlinked.
  await expect.poll(async () => ({ components: (await directComponents(all, ids)).length, unfilled: await unfilledPairs(all, ids, maxConnected) }), {
    message: 'the mesh settles into one component in which no two tabs with a free slot are left unlinked', timeout: 60_000
  }).toEqual({ components: 1, unfilled: [] })

  // The premise: close a tab two of whose neighbours are not linked to each other. After the
  // close both have a free slot, so the settled mesh must link them or fill them otherwise: they
  // can only do that if the page actively redials. A mesh with no such tab (it settled as cliques,
  // e.g. three full tabs and a pair, which the wait above rules out) cannot show a replacement: the test fails, never picks
  // another tab.
  const links = await directLinks(all, ids)
  const closingIndex = ids.findIndex(id => {
    const around = [...links.get(id)!]
    return around.some(a => around.some(b => a !== b && !links.get(a)!.has(b)))
  })
  const linkList = [...links].map(([id, peers]) => `${id.slice(-6)}: ${[...peers].map(p => p.slice(-6)).join(' ')}`).join('; ')
  expect(closingIndex, `a tab with two neighbours that are not linked to each other (links: ${linkList})`).toBeGreaterThanOrEqual(0)
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
  expect(replaced.length, 'a neighbour linked to a tab it was not linked to before').toBeGreaterThan(0)
})
