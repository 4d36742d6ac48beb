import { test, expect } from '../fixtures/test.js'
import { peerIdsOf } from '../fixtures/mesh.js'

test('two tabs on one relay get distinct peer IDs, find each other and connect over direct WebRTC', { tag: '@desktop' }, async ({ relay, tabs }) => {
  const [alice, bob] = await tabs.openMany(2, relay)
  const [aliceId, bobId] = await peerIdsOf([alice!, bob!])

  await alice!.expectConnectedTo(bobId!, { transport: 'webrtc' })
  await bob!.expectConnectedTo(aliceId!, { transport: 'webrtc' })
  // Both also keep their WebSocket link to the relay that introduced them.
  await alice!.expectConnectedTo(relay.peerId, { transport: 'websocket' })
  await bob!.expectConnectedTo(relay.peerId, { transport: 'websocket' })
  expect(aliceId).not.toBe(relay.peerId)
})
