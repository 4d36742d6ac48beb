/**
 * The per-source share of the book, on a fake clock: one source fills at most its share with
 * never-connected peers, the rest of what it sends is dropped and counted; room comes back as
 * its peers leave the book, get connected or age out; other sources are not affected.
 */
import { describe, expect, it } from 'vitest'
import { parseNodeAddress } from '../../src/address/index.js'
import { createPeerExchangeOptions, type PeerExchangeOptions } from '../../src/pex/options.js'
import { PexPolicy } from '../../src/pex/pex-policy.js'
import { pexSourceOf, PexSourceShare } from '../../src/pex/source-share.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'
import { MemoryExchangeBook, newPeerId, publicAddressesOfNewPeers } from './fixtures.js'

async function setup (options: Partial<PeerExchangeOptions> = {}, capacity = 260) {
  const clock = createFakeClock(1_000_000)
  const book = new MemoryExchangeBook({ capacity })
  const self = (await newPeerId()).toString()
  const policy = new PexPolicy({ selfId: self, book, clock, options: createPeerExchangeOptions(options) })
  return { clock, book, policy }
}

const urls = (addresses: Array<{ toString: () => string }>): string[] => addresses.map(a => a.toString())

describe('PexPolicy › per-source share', () => {
  it('takes at most min(maxNewPeersPerSource, maxSourceShare × capacity) new peers from one source, and counts the rest', async () => {
    const { book, policy } = await setup({ maxSourceShare: 0.25, maxNewPeersPerSource: 64 }, 2000)
    const attacker = (await newPeerId()).toString()
    let added = 0
    for (let answer = 0; answer < 5; answer++) {
      added += policy.acceptResponse(attacker, urls(await publicAddressesOfNewPeers(100, answer * 100)), 'group:ip4:198.51.100.0/24').added
    }
    expect(added).toBe(64)
    expect(book.knownPeerCount()).toBe(64)
    expect(policy.stats()).toMatchObject({ addressesAdded: 64, addressesOverSourceShare: 436, addressesRejected: 436 })
    expect(policy.sourceHeld('group:ip4:198.51.100.0/24')).toBe(64)
  })

  it('scales the cap with a small book (a quarter of 40 is 10)', async () => {
    const { policy } = await setup({}, 40)
    const result = policy.acceptResponse('a', urls(await publicAddressesOfNewPeers(100)), 'peer:a')
    expect(result.added).toBe(10)
  })

  it('leaves other sources their own share', async () => {
    const { policy } = await setup({ maxNewPeersPerSource: 20 }, 2000)
    policy.acceptResponse('attacker', urls(await publicAddressesOfNewPeers(100)), 'group:ip4:198.51.100.0/24')
    const honest = policy.acceptResponse('honest', urls(await publicAddressesOfNewPeers(5, 1000)), 'group:ip4:203.0.113.0/24')
    expect(honest).toMatchObject({ added: 5, rejected: 0 })
  })

  it('counts two peers in one source group as one source (identities are cheap, /24s are not)', async () => {
    const { policy } = await setup({ maxNewPeersPerSource: 20 }, 2000)
    const group = pexSourceOf('x', parseNodeAddress(`tcp://${(await newPeerId()).toString()}@198.51.100.9:4001`))
    expect(group).toBe('group:ip4:198.51.100.0/24')
    expect(policy.acceptResponse('first', urls(await publicAddressesOfNewPeers(15)), group).added).toBe(15)
    expect(policy.acceptResponse('second', urls(await publicAddressesOfNewPeers(15, 500)), group).added).toBe(5)
  })

  it('gives room back as the source\'s peers leave the book or get connected, never counting a tried peer', async () => {
    const { book, policy } = await setup({ maxNewPeersPerSource: 10 }, 2000)
    const first = await publicAddressesOfNewPeers(10)
    expect(policy.acceptResponse('s', urls(first), 'peer:s').added).toBe(10)
    expect(policy.acceptResponse('s', urls(await publicAddressesOfNewPeers(3, 100)), 'peer:s').added).toBe(0)
    book.forget(first[0]!.peerId)
    book.markTried(first[1]!.peerId)
    expect(policy.sourceHeld('peer:s')).toBe(8)
    expect(policy.acceptResponse('s', urls(await publicAddressesOfNewPeers(3, 200)), 'peer:s').added).toBe(2)
    // the tried peer is still in the book, and a new address for it costs the source nothing
    expect(book.status(first[1]!.peerId)).toBe('tried')
    const another = parseNodeAddress(`tcp://${first[1]!.peerId}@20.9.9.9:4002`)
    expect(policy.acceptResponse('s', [another.toString()], 'peer:s').added).toBe(1)
    expect(policy.sourceHeld('peer:s')).toBe(10)
  })

  it('forgets entries older than sourceShareTtlMs on the injected clock', async () => {
    const { clock, policy } = await setup({ maxNewPeersPerSource: 10, sourceShareTtlMs: 60_000 }, 2000)
    expect(policy.acceptResponse('s', urls(await publicAddressesOfNewPeers(10)), 'peer:s').added).toBe(10)
    clock.advance(59_999)
    expect(policy.acceptResponse('s', urls(await publicAddressesOfNewPeers(1, 100)), 'peer:s').added).toBe(0)
    clock.advance(1)
    expect(policy.sourceHeld('peer:s')).toBe(0)
    expect(policy.acceptResponse('s', urls(await publicAddressesOfNewPeers(1, 200)), 'peer:s').added).toBe(1)
  })

  it('keys a source by its public address group, else by its peer ID', async () => {
    const id = (await newPeerId()).toString()
    expect(pexSourceOf(id, undefined)).toBe(`peer:${id}`)
    expect(pexSourceOf(id, parseNodeAddress(`tcp://${id}@127.0.0.1:4001`))).toBe(`peer:${id}`)
    expect(pexSourceOf(id, parseNodeAddress(`tcp://${id}@10.1.2.3:4001`))).toBe(`peer:${id}`)
    expect(pexSourceOf(id, parseNodeAddress(`tcp://${id}@[2a00:1450:4001:2::5]:4001`))).toBe('group:ip6:2a00:1450:4001::/48')
    expect(pexSourceOf(id, parseNodeAddress(`tcp://${id}@203.0.113.77:4001`))).toBe('group:ip4:203.0.113.0/24')
  })

  it('keeps its memory bounded: beyond maxEntries the oldest entries are forgotten', () => {
    const clock = createFakeClock(0)
    const share = new PexSourceShare({ clock, maxShare: 1, maxPerSource: 1_000_000, ttlMs: 1e12, maxEntries: 100 })
    for (let i = 0; i < 1000; i++) share.record(`s${i % 7}`, `p${i}`)
    expect(share.size()).toBe(100)
  })
})
