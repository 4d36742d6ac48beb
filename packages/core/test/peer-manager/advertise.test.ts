import { beforeAll, describe, expect, it } from 'vitest'
import { createPeerIds, memoryAddress, openHarness, wsAddress } from './support.js'

let self: string
let ids: string[]
let a: string, b: string, c: string, requester: string

const HOUR_MS = 3_600_000

beforeAll(async () => {
  ids = await createPeerIds(28)
  ;[self, a, b, c, requester] = ids as [string, string, string, string, string]
})

describe('PeerManager › advertise', () => {
  // §2 scenario 21
  it('excludes the requester, honours the limit (0 gives nothing) and puts our own addresses first', async () => {
    const { pm } = await openHarness({ selfId: self, selfAddresses: [wsAddress(self, '10.9.9.9')] })
    pm.add(memoryAddress(a))
    pm.add(wsAddress(a, '10.0.0.1'))
    pm.add(memoryAddress(b))
    pm.add(memoryAddress(c))

    expect(pm.advertise(a, 0)).toEqual([])
    const forA = pm.advertise(a, 10).map(x => x.toString())
    expect(forA[0]).toBe(wsAddress(self, '10.9.9.9').toString())
    expect(forA.slice(1).sort()).toEqual([memoryAddress(b).toString(), memoryAddress(c).toString()].sort())
    expect(pm.advertise(b, 2)).toHaveLength(2)
    expect(pm.advertise(b, 2)[0]?.peerId).toBe(self)
    expect(pm.advertise(b, 1).map(x => x.peerId)).toEqual([self])
  })

  it('replaces our own addresses on setSelfAddresses, ignoring other peers\' addresses', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    expect(pm.advertise(b, 5).map(x => x.peerId)).toEqual([a])
    pm.setSelfAddresses([memoryAddress(self, 'one'), memoryAddress(c, 'not-ours')])
    expect(pm.advertise(b, 5).map(x => x.toString())).toEqual([memoryAddress(self, 'one').toString(), memoryAddress(a).toString()])
  })

  it('skips peers not seen for advertiseMaxAgeMs, but not connected ones', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { advertiseMaxAgeMs: 3 * HOUR_MS } })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.accepted(b)
    clock.advance(3 * HOUR_MS + 1)
    pm.add(memoryAddress(c))
    expect(pm.advertise(requester, 10).map(x => x.peerId).sort()).toEqual([b, c].sort())
    // Hearing of a again makes it fresh.
    pm.add(memoryAddress(a))
    expect(pm.advertise(requester, 10)).toHaveLength(3)
  })

  it('never advertises banned or inactive peers', async () => {
    const { pm } = await openHarness({ selfId: self, options: { banTtlMs: HOUR_MS } })
    for (const peer of [a, b, c]) pm.add(memoryAddress(peer))
    pm.ban(a, 'spam')
    pm.inactivate(b, 'incompatible')
    expect(pm.advertise(requester, 10).map(x => x.peerId)).toEqual([c])
  })

  it('favours well-ranked peers but mixes in lower-ranked ones', async () => {
    const { pm } = await openHarness({ selfId: self })
    const peers = ids.slice(5, 28) // 23 peers, best first
    peers.forEach((peer, i) => {
      pm.add(memoryAddress(peer))
      for (let s = 0; s < peers.length - i; s++) pm.reportGood(peer)
    })
    const counts = new Map<string, number>()
    for (let round = 0; round < 200; round++) {
      const answer = pm.advertise(a, 4)
      expect(answer).toHaveLength(4)
      expect(new Set(answer.map(x => x.peerId)).size).toBe(4)
      for (const x of answer) counts.set(x.peerId, (counts.get(x.peerId) ?? 0) + 1)
    }
    const top8 = peers.slice(0, 8).reduce((sum, peer) => sum + (counts.get(peer) ?? 0), 0)
    const rest = peers.slice(8).reduce((sum, peer) => sum + (counts.get(peer) ?? 0), 0)
    expect(top8).toBeGreaterThan(rest)
    expect(rest).toBeGreaterThan(0)
  })
})
