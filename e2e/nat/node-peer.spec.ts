/**
 * A `--role peer` Node process in one home and a tab in another link directly through both home
 * NATs, as two tabs do: the tab's selected candidate pair reaches the Node peer's home at its
 * router's public address, through no TURN relay.
 */
import { expectBehindNat, expectPageShowsPair, iceFlags, linkTo, natFlows, test, expect } from './fixtures.js'
import { describePair } from '../fixtures/ice-stats.js'
import { homeByName } from './lab.js'

test('a --role peer Node process behind a home NAT links directly with a tab behind another', async ({ labRelay, labPeer, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun+turn'))
  const peer = await labPeer('a', { bootstrap: relay.addresses, ...iceFlags(turn, 'stun') })
  const b = await homeTab('b', relay)
  await expectBehindNat(b)

  await b.selfId()
  await b.expectConnectedTo(peer.peerId, { transport: 'webrtc', timeout: 30_000 })
  const home = homeByName('a')
  const pair = await linkTo(b, home.wanIp)
  testInfo.annotations.push({ type: 'selected pair', description: `b: ${describePair(pair)}` })
  expect(pair.local.type, `no TURN relay on the tab's side: ${describePair(pair)}`).not.toBe('relay')
  expect(['srflx', 'prflx'], `the Node peer is reached at its home's public mapping: ${describePair(pair)}`).toContain(pair.remote.type)
  // The Node peer really is behind router A: the port the tab reaches is the router's public
  // mapping of a flow from the peer's private address toward the tab's home.
  const flows = natFlows(home).filter(flow => flow.destination.startsWith(`${b.home.wanIp}:`))
  expect(flows.map(flow => flow.publicPort), `router a maps the Node peer's flow toward home b to the port the tab reaches: ${JSON.stringify(flows)}`).toContain(pair.remote.port)
  await expectPageShowsPair(b, peer.peerId, pair)
})
