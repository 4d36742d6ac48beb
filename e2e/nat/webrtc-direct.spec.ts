/**
 * No certificate anywhere: the page is served by a plain static server (no relay behind it), told
 * its relay's WebRTC-Direct address (`?relay=webrtc-direct://…?certhash=…`) and ICE servers
 * (`?ice=`) in its URL. Tabs behind two home NATs reach the relay over WebRTC-Direct (UDP through
 * their NATs, the relay's self-signed certificate pinned by its hash), then link directly.
 */
import { directLinkTo, expectBehindNat, iceFlags, linkTo, test, expect } from './fixtures.js'
import { describePair } from '../fixtures/ice-stats.js'
import { SERVER_IP } from './lab.js'

test('through WebRTC-Direct to the relay, with no certificate, tabs behind two home NATs link directly', async ({ labRelay, pageServer, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun'))
  const direct = relay.addresses.find(address => address.startsWith('webrtc-direct://'))
  expect(direct, `the relay announces a webrtc-direct address: ${relay.addresses.join(', ')}`).toBeDefined()
  const pageUrl = await pageServer()
  const query = { relay: direct!, ice: turn.stun }
  const a = await homeTab('a', relay, { pageUrl, query })
  const b = await homeTab('b', relay, { pageUrl, query })
  for (const tab of [a, b]) await expectBehindNat(tab)
  const [idA, idB] = [await a.selfId(), await b.selfId()]

  for (const tab of [a, b]) {
    await tab.expectConnectedTo(relay.peerId, { transport: 'webrtc', timeout: 30_000 })
    const toRelay = await linkTo(tab, SERVER_IP)
    testInfo.annotations.push({ type: `${tab.name} → relay`, description: describePair(toRelay) })
    expect(toRelay.remote.type, 'the relay is reached at its own UDP address').toBe('host')
    expect(toRelay.remote.port, 'at the port of its webrtc-direct address').toBe(Number(new URL(direct!.replace(/^webrtc-direct:/, 'http:')).port))
  }
  await a.expectConnectedTo(idB, { transport: 'webrtc', timeout: 30_000 })
  await b.expectConnectedTo(idA, { transport: 'webrtc', timeout: 30_000 })
  const pair = await directLinkTo(a, b.home.wanIp)
  testInfo.annotations.push({ type: 'a → b', description: describePair(pair) })
  expect(pair.local.type, 'a direct link through both NATs').not.toBe('relay')
  expect(pair.remote.type, 'a direct link through both NATs').not.toBe('relay')
})
