/**
 * A `--role peer` Node process joins as a tab does: behind a home NAT it links directly with a tab
 * in another home (the tab's selected pair reaches the peer's router's public mapping, no TURN);
 * behind the symmetric NAT it links through TURN, with credentials it makes from the secret.
 */
import { directLinkTo, expectBehindNat, expectPageShowsPair, iceFlags, natFlows, relayedLink, test, expect } from './fixtures.js'
import { describePair } from '../fixtures/ice-stats.js'
import { homeByName, SERVER_IP } from './lab.js'

test('a --role peer Node process behind a home NAT links directly with a tab behind another', async ({ labRelay, labPeer, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun+turn'))
  const peer = await labPeer('a', { bootstrap: relay.addresses, ...iceFlags(turn, 'stun') })
  const b = await homeTab('b', relay)
  await expectBehindNat(b)

  await b.selfId()
  await b.expectConnectedTo(peer.peerId, { transport: 'webrtc', timeout: 30_000 })
  const home = homeByName('a')
  const pair = await directLinkTo(b, home.wanIp)
  testInfo.annotations.push({ type: 'selected pair', description: `b: ${describePair(pair)}` })
  expect(pair.local.type, `no TURN relay on the tab's side: ${describePair(pair)}`).not.toBe('relay')
  expect(['srflx', 'prflx'], `the Node peer is reached at its home's public mapping: ${describePair(pair)}`).toContain(pair.remote.type)
  // The Node peer really is behind router A: the port the tab reaches is the router's public
  // mapping of a flow from the peer's private address toward the tab's home.
  const flows = natFlows(home).filter(flow => flow.destination.startsWith(`${b.home.wanIp}:`))
  expect(flows.map(flow => flow.publicPort), `router a maps the Node peer's flow toward home b to the port the tab reaches: ${JSON.stringify(flows)}`).toContain(pair.remote.port)
  await expectPageShowsPair(b, peer.peerId, pair)
})

test('a --role peer Node process behind the symmetric NAT links with a tab through TURN', async ({ labRelay, labPeer, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun+turn'))
  // The Node peer makes its own TURN credentials from the secret, as the relay does for pages.
  const peer = await labPeer('c', { bootstrap: relay.addresses, ...iceFlags(turn, 'stun+turn') })
  const a = await homeTab('a', relay)
  await expectBehindNat(a)
  await a.selfId()
  await a.expectConnectedTo(peer.peerId, { transport: 'webrtc', timeout: 30_000 })
  const pair = await relayedLink(a)
  testInfo.annotations.push({ type: 'selected pair', description: `a: ${describePair(pair)}` })
  for (const candidate of [pair.local, pair.remote].filter(candidate => candidate.type === 'relay')) {
    expect(candidate.address, `the relay candidate is coturn's: ${describePair(pair)}`).toBe(SERVER_IP)
  }
  // The Node peer really is behind router c, which maps one of its sockets to a different public
  // port for each destination it sent to (coturn, the tab's home).
  const bySocket = new Map<number, number[]>()
  for (const flow of natFlows(homeByName('c'))) bySocket.set(flow.sourcePort, [...bySocket.get(flow.sourcePort) ?? [], flow.publicPort])
  const perDestination = [...bySocket.values()].filter(ports => ports.length > 1)
  expect(perDestination.length, `router c has a Node peer socket that sent to several destinations: ${JSON.stringify([...bySocket])}`).toBeGreaterThan(0)
  for (const ports of perDestination) expect(new Set(ports).size, `router c gives each destination its own public port: ${JSON.stringify(ports)}`).toBe(ports.length)
  await expectPageShowsPair(a, peer.peerId, pair)
})
