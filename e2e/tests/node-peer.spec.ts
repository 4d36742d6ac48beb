import { randomUUID } from 'node:crypto'
import { test, expect } from '../fixtures/test.js'
import { peerIdsOf } from '../fixtures/mesh.js'

test('a Node peer started with --role peer joins over WebRTC and chats with the tabs', async ({ freshRelay: relay, spawnNode, tabs }) => {
  const node = await spawnNode({ name: 'node-peer', role: 'peer', bootstrap: relay.addresses })
  const all = await tabs.openMany(2, relay)
  const ids = await peerIdsOf(all)
  expect(ids).not.toContain(node.peerId)

  for (const tab of all) await tab.expectConnectedTo(node.peerId, { transport: 'webrtc', timeout: 30_000 })

  const fromTab = `from a tab ${randomUUID()}`
  await all[0]!.sendChat(fromTab)
  await expect.poll(() => node.logEntries().filter(entry =>
    entry.event === 'chat' && entry.from === ids[0] && entry.text === fromTab).length, {
    message: 'the Node peer logs the tab\'s message once'
  }).toBe(1)
  await all[1]!.expectChatFrom(ids[0]!, fromTab)

  const fromNode = `from the Node peer ${randomUUID()}`
  node.writeLine(fromNode)
  for (const tab of all) await tab.expectChatFrom(node.peerId, fromNode)
})
