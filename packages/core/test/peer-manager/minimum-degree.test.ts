import { beforeAll, describe, expect, it } from 'vitest'
import { createPeerIds, memoryAddress, openHarness, settledState } from './support.js'

let self: string
let peers: string[]

beforeAll(async () => {
  const ids = await createPeerIds(9)
  self = ids[0] ?? ''
  peers = ids.slice(1)
})

describe('PeerManager › outbound cap and minimum degree', () => {
  it('stops handing out dials at maxOutgoingConnections, leaving the rest for inbound peers', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 8, maxOutgoingConnections: 2 } })
    for (const peer of peers) pm.add(memoryAddress(peer))
    const first = pm.tryDialNext()
    const second = pm.tryDialNext()
    expect([first, second].every(x => x !== undefined)).toBe(true)
    expect(pm.tryDialNext()).toBeUndefined()
    // Inbound peers still come in up to maxConnected.
    for (const peer of peers.slice(4, 8)) pm.accepted(peer)
    expect(pm.stats()).toMatchObject({ inbound: 4, dialing: 2 })
  })

  it('keeps dialing past the outbound cap while connected + dialing is below minConnected', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 8, maxOutgoingConnections: 2, minConnected: 4 } })
    for (const peer of peers) pm.add(memoryAddress(peer))
    const dials = [pm.tryDialNext(), pm.tryDialNext(), pm.tryDialNext(), pm.tryDialNext()]
    expect(dials.every(x => x !== undefined)).toBe(true)
    expect(pm.tryDialNext()).toBeUndefined()
    for (const address of dials) if (address !== undefined) pm.dialed(address)
    // At the floor with 4 outbound connections: the outbound cap applies again.
    expect(pm.tryDialNext()).toBeUndefined()

    // Two of them drop: below the floor, dialing resumes (to the floor, not beyond).
    const [lost1, lost2] = dials
    pm.disconnected(lost1?.peerId ?? '')
    pm.disconnected(lost2?.peerId ?? '')
    expect(pm.tryDialNext()).toBeDefined()
    expect(pm.tryDialNext()).toBeDefined()
    expect(pm.tryDialNext()).toBeUndefined()
  })

  it('never lets the floor exceed maxConnected', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 3, maxOutgoingConnections: 1, minConnected: 3 } })
    for (const peer of peers) pm.add(memoryAddress(peer))
    expect([pm.tryDialNext(), pm.tryDialNext(), pm.tryDialNext()].every(x => x !== undefined)).toBe(true)
    expect(pm.tryDialNext()).toBeUndefined()
  })

  it('wakes a waiting dialNext when a peer drops below the floor', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 8, maxOutgoingConnections: 1, minConnected: 2 } })
    const [p1, p2, p3] = peers as [string, string, string]
    pm.add(memoryAddress(p3))
    pm.accepted(p1)
    pm.accepted(p2)
    const address = pm.tryDialNext() // outbound 0 < 1
    expect(address?.peerId).toBe(p3)
    pm.dialed(memoryAddress(p3))
    const [, , , p4] = peers as [string, string, string, string]
    pm.add(memoryAddress(p4))
    const waiting = pm.dialNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.disconnected(p1)
    // Still 2 connected (p2 in, p3 out) = the floor, and outbound is full: keep waiting.
    expect(await settledState(waiting)).toBe('pending')
    pm.disconnected(p2)
    expect((await waiting).peerId).toBe(p4)
  })

  it('wantsMorePeers below the floor, or with a free slot and nothing to dial', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 3, minConnected: 2 } })
    const [p1, p2, p3] = peers as [string, string, string]
    expect(pm.wantsMorePeers()).toBe(true)
    pm.accepted(p1)
    pm.accepted(p2)
    expect(pm.wantsMorePeers()).toBe(true) // at the floor, a slot free, nobody to dial
    pm.add(memoryAddress(p3))
    expect(pm.wantsMorePeers()).toBe(false) // p3 can be dialed
    pm.accepted(p3)
    expect(pm.wantsMorePeers()).toBe(false) // full
    pm.errored(p1, 'gone')
    expect(pm.tryEvictNext()).toBe(p1)
    pm.disconnected(p1)
    pm.disconnected(p2)
    expect(pm.wantsMorePeers()).toBe(true) // below the floor
  })
})
