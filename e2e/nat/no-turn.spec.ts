/**
 * STUN only, no TURN: a tab behind a symmetric NAT has no pair that works, so it cannot link any
 * peer directly; the two tabs behind home NATs still link directly, and the symmetric-NAT tab
 * still takes part in the mesh through the relay (its chat reaches them).
 */
import { expectBehindNat, iceFlags, linkTo, test, expect } from './fixtures.js'
import { failedPeerConnectionCount } from '../fixtures/ice-stats.js'

test('with STUN only, a tab behind a symmetric NAT links no peer directly, the page says why, and the rest of the mesh is unaffected', async ({ labRelay, homeTab, turn }) => {
  const relay = await labRelay(iceFlags(turn, 'stun'))
  const a = await homeTab('a', relay)
  const b = await homeTab('b', relay)
  const c = await homeTab('c', relay)
  for (const tab of [a, b, c]) await expectBehindNat(tab)
  const [idA, idB, idC] = [await a.selfId(), await b.selfId(), await c.selfId()]

  await a.expectConnectedTo(idB, { transport: 'webrtc', timeout: 30_000 })
  await linkTo(a, b.home.wanIp)
  await linkTo(b, a.home.wanIp)

  // The symmetric-NAT tab tries the others and ICE fails: wait for peer connections that ended
  // without ever connecting (the test's own account), not for a time.
  await expect.poll(async () => await c.page.evaluate(failedPeerConnectionCount), {
    message: 'the symmetric-NAT tab has tried and failed to link the other tabs directly',
    timeout: 45_000
  }).toBeGreaterThanOrEqual(2)
  expect(await c.selectedPairs(), 'the symmetric-NAT tab has no connected WebRTC peer connection').toEqual([])
  for (const id of [idA, idB]) {
    await expect(c.peerRow(id).and(c.connectedRows('webrtc')), 'the symmetric-NAT tab shows no direct link it does not have').toHaveCount(0)
    await expect(c.peerRow(id), 'no candidate pair is shown for a link ICE never made').not.toHaveAttribute('data-candidate-local', /.+/)
  }
  // The page says why: whichever side dialed shows, on its row for the other, that WebRTC found
  // no working path and that no TURN server is configured (what a symmetric NAT needs).
  for (const [home, idHome] of [[a, idA], [b, idB]] as const) {
    await expect.poll(async () => {
      const reasons = [
        await home.peerRow(idC).getAttribute('data-direct-failure'),
        await c.peerRow(idHome).getAttribute('data-direct-failure')
      ]
      return reasons.some(reason => reason?.includes('no TURN server is configured') === true)
    }, {
      message: `the page tells why ${home === a ? 'a' : 'b'} and the symmetric-NAT tab have no direct link`,
      timeout: 60_000
    }).toBe(true)
  }

  // The rest of the mesh: the direct link between the home-NAT tabs stands, and the
  // symmetric-NAT tab still reaches them through the relay.
  await a.expectConnectedTo(idB, { transport: 'webrtc' })
  await linkTo(a, b.home.wanIp)
  await c.sendChat('hello from behind a symmetric NAT')
  await a.expectChatFrom(idC, 'hello from behind a symmetric NAT', { timeout: 30_000 })
  await b.expectChatFrom(idC, 'hello from behind a symmetric NAT', { timeout: 30_000 })
})
