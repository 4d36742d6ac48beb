import { beforeAll, describe, expect, it } from 'vitest'
import {
  AlreadyConnectedError, ConnectionLimitError, InactivePeerError, PeerBannedError, PeerManagerClosedError,
  SelfConnectionError
} from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress, openHarness, settledState } from './support.js'

let self: string
let a: string, b: string, c: string, d: string

beforeAll(async () => {
  [self, a, b, c, d] = await createPeerIds(5) as [string, string, string, string, string]
})

describe('PeerManager › accepted', () => {
  // §2 scenario 16
  it('errors for self, registers an unknown peer, errors for a connected one', async () => {
    const { pm } = await openHarness({ selfId: self })
    expect(() => { pm.accepted(self) }).toThrow(SelfConnectionError)
    pm.add(memoryAddress(a))
    pm.accepted(a)
    expect(() => { pm.accepted(a) }).toThrow(AlreadyConnectedError)
    pm.accepted(b)
    expect(pm.peers().map(p => p.peerId).sort()).toEqual([a, b].sort())
    expect(pm.peer(b)).toMatchObject({ state: 'connected', direction: 'inbound', addresses: [] })
  })

  it('wins over our own dial to the same peer: the later dialed() errors', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(c))
    expect(pm.tryDialNext()?.peerId).toBe(c)
    pm.accepted(c)
    expect(() => { pm.dialed(memoryAddress(c)) }).toThrow(AlreadyConnectedError)
    expect(pm.peer(c)?.direction).toBe('inbound')

    pm.add(memoryAddress(d))
    expect(pm.tryDialNext()?.peerId).toBe(d)
    pm.dialed(memoryAddress(d))
    expect(() => { pm.accepted(d) }).toThrow(AlreadyConnectedError)
  })

  it('errors when full', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 2 } })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    pm.accepted(b)
    expect(pm.canAccept(c)).toBe(false)
    expect(() => { pm.accepted(c) }).toThrow(ConnectionLimitError)
  })

  it('lets only a higher-scored inbound peer upgrade, while upgrade slots last', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 1 }, peerScores: { [c]: 1, [d]: 2 }
    })
    pm.add(memoryAddress(a))
    pm.dialed(memoryAddress(a))
    // b scores 0 like a: an equal score cannot upgrade.
    expect(() => { pm.accepted(b) }).toThrow(ConnectionLimitError)
    pm.accepted(c)
    // a is not evicted yet: b still cannot come in, and d finds every upgrade slot used.
    expect(() => { pm.accepted(b) }).toThrow(ConnectionLimitError)
    expect(() => { pm.accepted(d) }).toThrow(ConnectionLimitError)
    expect(pm.tryEvictNext()).toBe(a)
  })

  it('upgrades only once over the same victim, and not over an equal score after eviction', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 2 }, peerScores: { [b]: 1, [c]: 1 }
    })
    pm.accepted(a)
    pm.accepted(b)
    expect(() => { pm.accepted(c) }).toThrow(ConnectionLimitError)
    expect(pm.tryEvictNext()).toBe(a)
    pm.disconnected(a)
    expect(() => { pm.accepted(c) }).toThrow(ConnectionLimitError)
  })

  it('accepts a peer we are upgrading to by dialing as that same upgrade', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 2 }, peerScores: { [b]: 1, [c]: 1 }
    })
    pm.accepted(a)
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b) // reserves a
    pm.add(memoryAddress(c))
    expect(() => { pm.accepted(c) }).toThrow(ConnectionLimitError)
    pm.accepted(b)
    expect(pm.tryEvictNext()).toBe(a)
    expect(() => { pm.dialed(memoryAddress(b)) }).toThrow(AlreadyConnectedError)
  })

  it('refuses banned and inactive peers, and canAccept says so', async () => {
    const { pm } = await openHarness({ selfId: self, options: { banTtlMs: 1_000 } })
    pm.add(memoryAddress(a))
    pm.add(memoryAddress(b))
    pm.ban(a, 'test')
    pm.inactivate(b, 'wrong protocol version')
    expect(pm.canAccept(a)).toBe(false)
    expect(pm.canAccept(b)).toBe(false)
    expect(pm.canAccept(c)).toBe(true)
    expect(() => { pm.accepted(a) }).toThrow(PeerBannedError)
    expect(() => { pm.accepted(b) }).toThrow(InactivePeerError)
    expect(pm.canAccept(self)).toBe(false)
  })

  it('lets a connected peer open another connection through the gater (canAccept), though accepted() refuses a second one', async () => {
    const { pm } = await openHarness({ selfId: self, options: { maxConnected: 1 } })
    pm.accepted(a)
    expect(pm.canAccept(a)).toBe(true)
    expect(pm.canAccept(b)).toBe(false)
    expect(() => { pm.accepted(a) }).toThrow(AlreadyConnectedError)
  })
})

describe('PeerManager › evictNext', () => {
  // §2 scenario 18
  it('waits until a peer errors, then returns it once', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.accepted(a)
    pm.ready(a, [])

    const controller = new AbortController()
    const first = pm.evictNext(controller.signal)
    expect(await settledState(first)).toBe('pending')
    controller.abort()
    await expect(first).rejects.toThrow(/abort/i)

    const waiting = pm.evictNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.errored(a, new Error('protocol failure'))
    expect(await waiting).toBe(a)

    const again = pm.evictNext()
    expect(await settledState(again)).toBe('pending')
    await pm.close()
    await expect(again).rejects.toBeInstanceOf(PeerManagerClosedError)
  })

  it('wakes on an upgrade completed by dialed', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 1 }, peerScores: { [b]: 1 }
    })
    pm.accepted(a)
    pm.ready(a, [])
    const waiting = pm.evictNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.add(memoryAddress(b))
    expect(pm.tryDialNext()?.peerId).toBe(b)
    pm.dialed(memoryAddress(b))
    expect(await waiting).toBe(a)
  })

  it('wakes on an upgrade completed by accepted', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 1, maxConnectedUpgrade: 1 }, peerScores: { [b]: 1 }
    })
    pm.accepted(a)
    const waiting = pm.evictNext()
    expect(await settledState(waiting)).toBe('pending')
    pm.accepted(b)
    expect(await waiting).toBe(a)
  })

  it('evicts the lowest-ranked connected peer while over maxConnected', async () => {
    const { pm } = await openHarness({
      selfId: self, options: { maxConnected: 2, maxConnectedUpgrade: 1 }, peerScores: { [a]: 5, [b]: 1, [c]: 3 }
    })
    pm.accepted(a)
    pm.accepted(b)
    pm.accepted(c) // upgrade over b
    expect(pm.tryEvictNext()).toBe(b)
    expect(pm.tryEvictNext()).toBeUndefined()
    expect(pm.peer(b)?.state).toBe('connected')
    pm.disconnected(b)
    expect(pm.stats()).toMatchObject({ connected: 2, evicting: 0, evictionsStarted: 1 })
  })

  it('evicts a connected peer when it is banned or marked inactive', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.accepted(a)
    pm.accepted(b)
    pm.ban(a, 'spam')
    pm.inactivate(b, 'incompatible')
    expect([pm.tryEvictNext(), pm.tryEvictNext()].sort()).toEqual([a, b].sort())
    expect(pm.tryEvictNext()).toBeUndefined()
  })

  it('ignores errored for a peer that is not connected', async () => {
    const { pm } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.errored(a, new Error('late'))
    expect(pm.tryEvictNext()).toBeUndefined()
  })
})
