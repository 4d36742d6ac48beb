import { randomUUID } from 'node:crypto'
import { test, expect } from '../fixtures/test.js'
import { expectFullMesh, peerIdsOf } from '../fixtures/mesh.js'

test('tabs keep their direct links and chat while the relay is down, and rejoin it when it restarts', async ({ freshRelay: relay, tabs }) => {
  const all = await tabs.openMany(3, relay)
  const ids = await peerIdsOf(all)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
  const relayId = relay.peerId

  await relay.stop()
  for (const tab of all) await tab.expectNotConnectedTo(relayId)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
  const whileDown = `while the relay is down ${randomUUID()}`
  await all[1]!.sendChat(whileDown)
  for (const tab of all) await tab.expectChatFrom(ids[1]!, whileDown)

  await relay.restart()
  expect(relay.peerId, 'the relay keeps its identity across a restart').toBe(relayId)
  for (const tab of all) await tab.expectConnectedTo(relayId, { transport: 'websocket', timeout: 30_000 })

  // A newcomer only knows the relay: it reaches the others through their new reservations.
  const newcomer = await tabs.open(relay, { name: 'newcomer' })
  const newcomerId = await newcomer.selfId()
  for (const [i, tab] of all.entries()) {
    await newcomer.expectConnectedTo(ids[i]!, { transport: 'webrtc', timeout: 30_000 })
    await tab.expectConnectedTo(newcomerId, { transport: 'webrtc' })
  }
})
