/**
 * WebRTC-Direct: a browser reaches the relay with no CA certificate at all, by the certhash in
 * the relay's `webrtc-direct://` address. Here the tabs cannot open any WebSocket (Playwright
 * refuses every one), so the only way to the relay is the fallback the page takes after its
 * WebSocket dial fails: the relay's WebRTC-Direct address from `/api/bootstrap`.
 */
import { test, expect } from '../fixtures/test.js'
import { MeshPage } from '../fixtures/mesh-page.js'
import type { PeerView } from '@peermesh/core'

test('tabs that cannot open WebSockets reach the relay over WebRTC-Direct, reserve on it and link directly', async ({ browser, spawnNode }) => {
  const relay = await spawnNode({ name: 'webrtc-direct-relay' })
  const direct = relay.addresses.find(address => address.startsWith('webrtc-direct://'))
  expect(direct, 'the relay lists a webrtc-direct address').toBeDefined()

  const tabs: MeshPage[] = []
  const refused: string[] = []
  for (const name of ['alice', 'bob']) {
    const context = await browser.newContext()
    await context.routeWebSocket(/.*/, ws => {
      refused.push(ws.url())
      void ws.close({ code: 1011, reason: 'WebSockets refused by the test' })
    })
    const page = await context.newPage()
    await page.goto(relay.url('/'))
    tabs.push(new MeshPage(page, name))
  }
  const [alice, bob] = tabs as [MeshPage, MeshPage]
  const aliceId = await alice.selfId()
  const bobId = await bob.selfId()

  // the relay sees each tab over webrtc-direct, never over a WebSocket
  await expect.poll(async () => {
    const { peers } = await (await fetch(relay.url('/api/peers'))).json() as { peers: PeerView[] }
    return [aliceId, bobId].map(id => peers.find(p => p.peerId === id)).map(p => `${p?.state ?? 'absent'} ${p?.transport ?? ''}`)
  }, { timeout: 30_000 }).toEqual(['connected webrtc-direct', 'connected webrtc-direct'])
  expect(refused.length, 'the tabs did try the WebSocket first').toBeGreaterThan(0)

  // WebRTC between the tabs, signalled through their reservations on the relay
  await alice.expectConnectedTo(bobId, { transport: 'webrtc' })
  await bob.expectConnectedTo(aliceId, { transport: 'webrtc' })
  await expect(alice.peerRow(bobId)).toHaveAttribute('data-candidate-local', 'host')
  await alice.sendChat('over webrtc-direct')
  await bob.expectChatFrom(aliceId, 'over webrtc-direct')
  for (const tab of tabs) await tab.context.close()
})
