import { beforeAll, describe, expect, it } from 'vitest'
import { createPeerIds, memoryAddress, openHarness, settledState } from './support.js'

let self: string
let a: string, b: string

beforeAll(async () => {
  [self, a, b] = await createPeerIds(3) as [string, string, string]
})

describe('PeerManager › subscribe', () => {
  // §2 scenario 17
  it('publishes up with the peer\'s protocols on ready, and nothing for a peer that is not connected', async () => {
    const { pm } = await openHarness({ selfId: self })
    const sub = pm.subscribe()
    pm.add(memoryAddress(a))
    pm.accepted(a)
    expect(sub.buffered).toBe(0)
    pm.ready(a, ['/peermesh/pex/1.0.0', '/meshsub/1.1.0'])
    expect((await sub.next()).value).toEqual({ peerId: a, status: 'up', protocols: ['/peermesh/pex/1.0.0', '/meshsub/1.1.0'] })
    expect(pm.peer(a)?.ready).toBe(true)

    pm.add(memoryAddress(b))
    pm.ready(b, [])
    expect(sub.buffered).toBe(0)
    expect(pm.peer(b)?.ready).toBe(false)
  })

  it('publishes down on disconnect only if the peer was ready', async () => {
    const { pm } = await openHarness({ selfId: self })
    const sub = pm.subscribe()
    pm.accepted(a)
    pm.disconnected(a)
    expect(sub.buffered).toBe(0)
    pm.accepted(b)
    pm.ready(b, [])
    pm.disconnected(b)
    expect([(await sub.next()).value, (await sub.next()).value]).toEqual([
      { peerId: b, status: 'up', protocols: [] },
      { peerId: b, status: 'down' }
    ])
  })

  it('publishes banned when a peer is banned', async () => {
    const { pm } = await openHarness({ selfId: self })
    const sub = pm.subscribe()
    pm.ban(a, 'spam')
    expect((await sub.next()).value).toEqual({ peerId: a, status: 'banned' })
  })

  it('can be consumed with for await', async () => {
    const { pm } = await openHarness({ selfId: self })
    const sub = pm.subscribe()
    pm.accepted(a)
    pm.ready(a, [])
    pm.disconnected(a)
    const seen: string[] = []
    for await (const update of sub) {
      seen.push(update.status)
      if (seen.length === 2) break
    }
    expect(seen).toEqual(['up', 'down'])
    expect(sub.closed).toBe(true)
  })

  // §2 scenario 19
  it('delivers nothing to a closed subscription while other subscribers still receive', async () => {
    const { pm } = await openHarness({ selfId: self })
    const closed = pm.subscribe()
    const open = pm.subscribe()
    const pendingRead = closed.next()
    closed.close()
    expect(await pendingRead).toEqual({ done: true, value: undefined })
    pm.accepted(a)
    pm.ready(a, [])
    expect(closed.buffered).toBe(0)
    expect(await closed.next()).toEqual({ done: true, value: undefined })
    expect((await open.next()).value).toMatchObject({ peerId: a, status: 'up' })
  })

  it('never stalls on a slow subscriber: its oldest updates are dropped and counted', async () => {
    const { pm } = await openHarness({ selfId: self })
    const slow = pm.subscribe({ bufferSize: 2 })
    const fast = pm.subscribe({ bufferSize: 100 })
    for (let i = 0; i < 5; i++) {
      pm.accepted(a)
      pm.ready(a, [String(i)])
      pm.disconnected(a)
    }
    expect(slow.buffered).toBe(2)
    expect(slow.dropped).toBe(8)
    expect(fast.buffered).toBe(10)
    expect(pm.stats().updatesDropped).toBe(8)
    // The slow one keeps the newest two.
    expect([(await slow.next()).value, (await slow.next()).value]).toEqual([
      { peerId: a, status: 'up', protocols: ['4'] },
      { peerId: a, status: 'down' }
    ])
  })
})

describe('PeerManager › close', () => {
  // §2 scenario 20
  it('leaves no timers or pending waits behind', async () => {
    const { pm, clock } = await openHarness({ selfId: self, options: { minRetryTimeMs: 1_000, disconnectCooldownMs: 500, banTtlMs: 10_000 } })
    pm.add(memoryAddress(a))
    pm.dialFailed(pm.tryDialNext() ?? memoryAddress(a))
    pm.accepted(b)
    pm.ban(b, 'test')
    const sub = pm.subscribe()
    const read = sub.next()
    const dial = pm.dialNext()
    const evict = pm.evictNext()
    const evictOther = pm.evictNext()
    // The ban queued b for eviction: one evictNext returns it, the other waits.
    expect(await evict).toBe(b)
    expect(await settledState(dial)).toBe('pending')
    expect(await settledState(evictOther)).toBe('pending')
    expect(clock.pendingTimers()).toBe(1)

    await pm.close()
    await expect(dial).rejects.toThrow()
    await expect(evictOther).rejects.toThrow()
    expect(await read).toEqual({ done: true, value: undefined })
    expect(clock.pendingTimers()).toBe(0)
    expect(pm.tryDialNext()).toBeUndefined()
    expect(pm.tryEvictNext()).toBeUndefined()
    expect(pm.subscribe().closed).toBe(true)
  })

  it('flushes pending writes before it resolves', async () => {
    const { pm, entries } = await openHarness({ selfId: self })
    pm.add(memoryAddress(a))
    pm.reportGood(a)
    await pm.close()
    expect(entries.get(a)).toMatchObject({ peerId: a, score: 1 })
  })
})
