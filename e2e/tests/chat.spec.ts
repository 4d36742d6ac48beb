import { randomUUID } from 'node:crypto'
import { test, expect } from '../fixtures/test.js'
import { expectFullMesh, peerIdsOf } from '../fixtures/mesh.js'

test('a chat message sent in one tab appears exactly once in every tab', { tag: '@desktop' }, async ({ relay, tabs }) => {
  const all = await tabs.openMany(3, relay)
  const ids = await peerIdsOf(all)
  await expectFullMesh(all, ids, { transport: 'webrtc' })
  const [sender, ...receivers] = all

  const first = `hello ${randomUUID()}`
  await sender!.sendChat(first)
  for (const tab of all) await tab.expectChatFrom(ids[0]!, first)

  // A later message from another tab is a barrier: once it has arrived everywhere, a duplicate of
  // the first one would have arrived too.
  const second = `reply ${randomUUID()}`
  await receivers[0]!.sendChat(second)
  for (const tab of all) await tab.expectChatFrom(ids[1]!, second)
  for (const tab of all) {
    await expect(tab.chatMessages(first), `${tab.name} still shows the first message once`).toHaveCount(1)
  }
})
