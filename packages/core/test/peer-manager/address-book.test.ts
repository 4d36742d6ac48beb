import { beforeAll, describe, expect, it } from 'vitest'
import { InvalidNodeAddressError, parseNodeAddress } from '../../src/address/index.js'
import { SelfConnectionError } from '../../src/peer-manager/index.js'
import {
  createPeerIds, memoryAddress, openHarness, relayedAddress, wsAddress
} from './support.js'

let self: string
let ids: string[]
let a: string, b: string, c: string, relay1: string, relay2: string

const DAY_MS = 24 * 3_600_000

beforeAll(async () => {
  ids = await createPeerIds(16)
  ;[self, a, b, c, relay1, relay2] = ids as [string, string, string, string, string, string]
})

/** Peers with no special role, for filling caps. */
function others (count: number): string[] {
  return ids.slice(6, 6 + count)
}

describe('PeerManager › add', () => {
  // §2 scenario 4
  it('stores several addresses per peer, returns false for a duplicate, and prunes the lowest non-persistent peer when full', async () => {
    const { pm } = await openHarness({
      selfId: self,
      options: { maxPeers: 2, maxConnected: 2 },
      persistentPeers: [memoryAddress(a), memoryAddress(c)]
    })
    // The persistent peers are in the book from the start; b is the one that can go.
    expect(pm.add(wsAddress(a, '127.0.0.1'), { source: 'config' })).toBe(true)
    expect(pm.peer(a)?.addresses.sort()).toEqual([memoryAddress(a).toString(), wsAddress(a, '127.0.0.1').toString()].sort())
    expect(pm.add(memoryAddress(a))).toBe(false)

    const { pm: small } = await openHarness({
      selfId: self, options: { maxPeers: 2, maxConnected: 2 }, persistentPeers: [memoryAddress(a)], peerScores: { [c]: 1 }
    })
    expect(small.add(memoryAddress(b))).toBe(true)
    expect(small.add(memoryAddress(c))).toBe(true)
    expect(small.peers().map(p => p.peerId).sort()).toEqual([a, c].sort())
    expect(small.stats().peersPruned).toBe(1)
  })

  it('returns false when the new peer is itself the lowest and gets pruned at once', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxPeers: 2, maxConnected: 2 }, peerScores: { [a]: 5, [b]: 5 } })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(b))
    expect(pm.add(memoryAddress(c))).toBe(false)
    expect(pm.peers().map(p => p.peerId).sort()).toEqual([a, b].sort())
  })

  it('never prunes a connected or dialing peer, even for a better newcomer', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxPeers: 2, maxConnected: 2 }, peerScores: { [c]: 9 } })
    pm.add(memoryAddress(a))
    pm.accepted(a)
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)
    // a and b are busy, so the newcomer is the only peer that can go, even though it scores higher.
    expect(pm.add(memoryAddress(c))).toBe(false)
    expect(pm.peers().map(p => p.peerId).sort()).toEqual([a, b].sort())
  })

  it('throws for an invalid address and for our own', async () => {
    const { pm } = await openHarness({ selfId: self })
    expect(() => pm.add('not an address')).toThrow(InvalidNodeAddressError)
    expect(() => pm.add(memoryAddress(self))).toThrow(SelfConnectionError)
    expect(pm.add(memoryAddress(a).toString())).toBe(true)
  })

  it('caps gossip addresses per subnet, but not configured ones', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxAddressesPerGroup: 3 } })
    const peers = others(5)
    expect(peers.slice(0, 4).map((peer, i) => pm.add(wsAddress(peer, `10.0.0.${i + 10}`)))).toEqual([true, true, true, false])
    expect(pm.stats().addressesRefused.group).toBe(1)
    expect(pm.add(wsAddress(peers[4] ?? '', '10.0.0.99'), { source: 'config' })).toBe(true)
    expect(pm.add(wsAddress(peers[3] ?? '', '10.0.1.10'))).toBe(true)
  })

  it('groups relayed addresses by relay, under their own larger cap', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxAddressesPerGroup: 2, maxAddressesPerRelay: 4 } })
    const peers = others(6)
    const viaRelay1 = peers.map(peer => pm.add(relayedAddress(peer, relay1)))
    expect(viaRelay1).toEqual([true, true, true, true, false, false])
    expect(pm.stats().addressesRefused.relay).toBe(2)
    expect(pm.add(relayedAddress(peers[4] ?? '', relay2))).toBe(true)
    // The relay's own subnet cap is separate: direct addresses there are still welcome.
    expect(pm.add(wsAddress(relay1, '10.0.0.1'))).toBe(true)
  })

  it('caps gossip addresses per peer, but still takes a configured one', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxAddressesPerPeer: 2 } })
    expect(pm.add(wsAddress(a, '10.0.0.1'))).toBe(true)
    expect(pm.add(wsAddress(a, '10.0.1.1'))).toBe(true)
    expect(pm.add(wsAddress(a, '10.0.2.1'))).toBe(false)
    expect(pm.stats().addressesRefused['peer-full']).toBe(1)
    expect(pm.add(memoryAddress(a), { source: 'config' })).toBe(true)
  })

  it('refuses loopback and private addresses from gossip when allowPrivateAddresses is off', async () => {
    const { pm } = await openHarness({ selfId: self, options: { allowPrivateAddresses: false } })
    expect(pm.add(wsAddress(a, '127.0.0.1'))).toBe(false)
    expect(pm.add(wsAddress(a, '192.168.1.7'))).toBe(false)
    expect(pm.add(parseNodeAddress(`ws://${a}@localhost:4001`))).toBe(false)
    expect(pm.stats().addressesRefused.private).toBe(3)
    expect(pm.add(wsAddress(a, '203.0.113.7'))).toBe(true)
    expect(pm.add(wsAddress(b, '10.0.0.5'), { source: 'config' })).toBe(true)
    expect(pm.add(memoryAddress(c))).toBe(true)
  })

  it('allows private addresses from gossip by default (tests, LAN meshes)', async () => {
    const { pm } = await openHarness({ selfId: self, options: { allowPrivateAddresses: true } })
    expect(pm.add(wsAddress(a, '127.0.0.1'))).toBe(true)
  })

  it('never lets gossip overwrite an address verified by connecting: it only adds', async () => {
    const { pm, entries } = await openHarness({ selfId: self, options: { minRetryTimeMs: 100 } })
    const verified = wsAddress(a, '10.0.0.1')
    pm.add(verified)
    expect(pm.tryDialNext()?.toString()).toBe(verified.toString())
    pm.dialed(verified)
    pm.disconnected(a)
    expect(pm.add(verified)).toBe(false)
    expect(pm.add(wsAddress(a, '10.0.7.1'))).toBe(true)
    await pm.flush()
    const record = entries.get(a) as { addresses: Array<{ url: string, source: string, lastConnectedAt: number }> }
    expect(record.addresses).toEqual([
      expect.objectContaining({ url: verified.toString(), source: 'verified', lastConnectedAt: expect.any(Number) }),
      expect.objectContaining({ url: wsAddress(a, '10.0.7.1').toString(), source: 'gossip', lastConnectedAt: 0 })
    ])
    expect(record.addresses[0]?.lastConnectedAt).toBeGreaterThan(0)
    // The verified address stays first in dial order.
    expect(pm.peer(a)?.addresses[0]).toBe(verified.toString())
  })

  it('raises an address to a more trusted source, never lowers it', async () => {
    const { pm, entries } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(a), { source: 'config' })
    pm.add(memoryAddress(a), { source: 'gossip' })
    await pm.flush()
    expect(entries.get(a)).toMatchObject({ addresses: [{ source: 'config' }] })
  })

  it('refuses gossip for a banned peer and any address for an inactive one', async () => {
    const { pm } = await openHarness({ selfId: self, options: { banTtlMs: 60_000 } })
    pm.ban(a, 'spam')
    expect(pm.add(memoryAddress(a))).toBe(false)
    expect(pm.add(memoryAddress(a), { source: 'config' })).toBe(true)
    pm.add(memoryAddress(b))
    pm.inactivate(b, 'incompatible')
    expect(pm.add(wsAddress(b), { source: 'config' })).toBe(false)
    expect(pm.stats().addressesRefused).toMatchObject({ banned: 1, inactive: 1 })
  })
})

describe('PeerManager › expiry', () => {
  it('deletes peers never connected and not heard of for expireAfterMs, keeping configured and once-connected ones', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { expireAfterMs: 7 * DAY_MS } })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(b), { source: 'config' })
    pm.add(memoryAddress(c))
    pm.dialed(memoryAddress(c))
    pm.disconnected(c)
    clock.advance(7 * DAY_MS)
    const [late] = others(1)
    pm.add(memoryAddress(late ?? ''))
    expect(pm.peers().map(p => p.peerId).sort()).toEqual([b, c, late].sort())
    expect(pm.stats().peersExpired).toBe(1)
  })

  it('keeps a peer that is advertised to us again', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { expireAfterMs: 7 * DAY_MS } })
    pm.add(memoryAddress(a))
    clock.advance(6 * DAY_MS)
    pm.add(memoryAddress(a))
    clock.advance(2 * DAY_MS)
    pm.add(memoryAddress(b))
    expect(pm.peer(a)).toBeDefined()
  })

  it('expires stale peers when the store is reopened', async () => {
    const entries = new Map<string, unknown>()
    const first = await openHarness({ selfId: self, entries, options: { expireAfterMs: DAY_MS } })
    first.pm.add(memoryAddress(a))
    await first.pm.close()
    first.clock.advance(DAY_MS)
    const second = await openHarness({ selfId: self, entries, clock: first.clock, options: { expireAfterMs: DAY_MS } })
    expect(second.pm.peers()).toEqual([])
    await second.pm.flush()
    expect(entries.size).toBe(0)
  })
})
