/**
 * A tab behind a symmetric NAT (a new public port per destination) cannot be reached at the port
 * STUN saw, so no direct pair works: with TURN it links through the TURN relay, and the test sees
 * coturn's relay candidate in the selected pair on both ends of the link, and the page says TURN.
 */
import { expectBehindNat, expectPageShowsPair, iceFlags, relayedLink, test, expect } from './fixtures.js'
import { describePair } from '../fixtures/ice-stats.js'
import { SERVER_IP } from './lab.js'

test('a tab behind a symmetric NAT links through TURN', async ({ labRelay, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun+turn'))
  const a = await homeTab('a', relay)
  const c = await homeTab('c', relay)
  await expectBehindNat(a)
  await expectBehindNat(c)

  const [idA, idC] = [await a.selfId(), await c.selfId()]
  await c.expectConnectedTo(idA, { transport: 'webrtc', timeout: 30_000 })
  await a.expectConnectedTo(idC, { transport: 'webrtc', timeout: 30_000 })

  // Each tab has only the other one as a WebRTC peer (the relay is reached over WebSocket).
  const fromC = await relayedLink(c)
  const fromA = await relayedLink(a)
  testInfo.annotations.push({ type: 'selected pairs', description: `c: ${describePair(fromC)}; a: ${describePair(fromA)}` })
  for (const pair of [fromC, fromA]) {
    for (const candidate of [pair.local, pair.remote].filter(candidate => candidate.type === 'relay')) {
      expect(candidate.address, `the relay candidate is coturn's: ${describePair(pair)}`).toBe(SERVER_IP)
    }
  }
  await expectPageShowsPair(c, idA, fromC)
  await expectPageShowsPair(a, idC, fromA)
})
