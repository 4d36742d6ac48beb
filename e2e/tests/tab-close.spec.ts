import { test, expect } from '../fixtures/test.js'
import { expectOneDirectMesh, peerIdsOf } from '../fixtures/mesh.js'

/** "Promptly": a tab closed cleanly says goodbye; nobody waits for ICE to time out. */
const goneWithinMs = 3_000
const maxConnected = 3

test('when a tab closes, its peers mark it gone promptly and replace it', async ({ freshRelay: relay, tabs }) => {
  // More tabs than slots, so every tab has someone to replace a lost neighbour with.
  const all = await tabs.openMany(6, relay, { query: { maxConnected: String(maxConnected) } })
  const ids = await peerIdsOf(all)
  await expectOneDirectMesh(all, ids, { timeout: 60_000 })
  for (const tab of all) await tab.expectPeerCount(maxConnected, { timeout: 30_000 })

  const [closing, ...staying] = all
  const closingId = ids[0]!
  const neighbours: typeof staying = []
  for (const tab of staying) {
    if ((await tab.connectedPeerIds('webrtc')).includes(closingId)) neighbours.push(tab)
  }
  expect(neighbours.length, 'the closing tab has neighbours').toBeGreaterThan(0)

  await closing!.close()
  for (const tab of neighbours) await tab.expectNotConnectedTo(closingId, { timeout: goneWithinMs })
  for (const tab of neighbours) await tab.expectPeerCount(maxConnected, { timeout: 30_000 })
  await expectOneDirectMesh(staying, ids.slice(1), { timeout: 30_000 })
})
