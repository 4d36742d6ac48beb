/**
 * Two tabs behind two ordinary home NATs (endpoint-independent mapping, a home router's
 * firewall) link directly: the selected candidate pair on each side reaches the other home's
 * public (router) address, through no TURN relay.
 */
import { directLinkTo, expectBehindNat, expectPageShowsPair, iceFlags, test, expect } from './fixtures.js'
import { describePair } from '../fixtures/ice-stats.js'

test('two tabs behind two home NATs link directly over server-reflexive candidates', async ({ labRelay, homeTab, turn }, testInfo) => {
  const relay = await labRelay(iceFlags(turn, 'stun+turn'))
  const a = await homeTab('a', relay)
  const b = await homeTab('b', relay)
  await expectBehindNat(a)
  await expectBehindNat(b)

  const [idA, idB] = [await a.selfId(), await b.selfId()]
  await a.expectConnectedTo(idB, { transport: 'webrtc', timeout: 30_000 })
  await b.expectConnectedTo(idA, { transport: 'webrtc', timeout: 30_000 })

  const fromA = await directLinkTo(a, b.home.wanIp)
  const fromB = await directLinkTo(b, a.home.wanIp)
  testInfo.annotations.push({ type: 'selected pairs', description: `a: ${describePair(fromA)}; b: ${describePair(fromB)}` })
  for (const [pair, other] of [[fromA, b], [fromB, a]] as const) {
    expect(pair.local.type, `no TURN relay on the near side: ${describePair(pair)}`).not.toBe('relay')
    expect(pair.remote.type, `no TURN relay on the far side: ${describePair(pair)}`).not.toBe('relay')
    expect(['srflx', 'prflx'], `the far side is the other home's public mapping: ${describePair(pair)}`).toContain(pair.remote.type)
    expect(pair.remote.address, `the link reaches home ${other.home.name} at its router's public address`).toBe(other.home.wanIp)
  }
  await expectPageShowsPair(a, idB, fromA)
  await expectPageShowsPair(b, idA, fromB)
})
