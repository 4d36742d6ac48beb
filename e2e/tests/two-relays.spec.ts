import { test, expect } from '../fixtures/test.js'
import { peerIdsOf } from '../fixtures/mesh.js'

test('tabs on two relays bootstrapped to each other find each other through peer exchange and connect directly', async ({ freshRelay: relayA, spawnNode, tabs }) => {
  const relayB = await spawnNode({ name: 'relay-b', bootstrap: relayA.addresses })

  const onA = await tabs.openMany(2, relayA, { name: 'tab on A' })
  const onB = await tabs.openMany(2, relayB, { name: 'tab on B' })
  const idsA = await peerIdsOf(onA)
  const idsB = await peerIdsOf(onB)
  expect(new Set([...idsA, ...idsB]).size).toBe(4)

  for (const tab of onA) for (const id of idsB) await tab.expectConnectedTo(id, { transport: 'webrtc', timeout: 45_000 })
  for (const tab of onB) for (const id of idsA) await tab.expectConnectedTo(id, { transport: 'webrtc', timeout: 45_000 })
})
