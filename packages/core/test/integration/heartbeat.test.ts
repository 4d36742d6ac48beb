import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('heartbeats', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('measure the round trip of every neighbour', async () => {
    net = await createTestNetwork(2, { router: { heartbeatIntervalMs: 100 } })
    await net.start()
    const a = net.node(0)
    await net.waitFor(() => a.router.neighbours()[0]?.rttMs != null)
    expect(a.peers().find(p => p.state === 'connected')?.rttMs).toBeGreaterThanOrEqual(0)
  })

  it('report a peer that stops answering as dead, and it is evicted', async () => {
    net = await createTestNetwork(2, { router: { heartbeatIntervalMs: 100, heartbeatTimeoutMs: 200, maxMissedHeartbeats: 3, heartbeatStallToleranceMs: 0 } })
    await net.start()
    const [a, b] = [net.node(0), net.node(1)]
    await net.waitFor(() => a.router.neighbours().some(l => l.ready))
    // b keeps its connection but no longer answers pings (a hung peer)
    for (const protocol of b.libp2p.getProtocols().filter(p => p.includes('/ping/'))) await b.libp2p.unhandle(protocol)
    await net.waitFor(() => a.router.stats.deadPeers === 1 && !a.router.neighbours().some(l => l.peerId === b.peerId), { timeoutMs: 10_000 })
    expect(a.router.stats.heartbeatFailures).toBeGreaterThanOrEqual(3)
  })

  it('keep a link that stalls for more than 10 s and less than 30 s, with the default tolerance (one heartbeat: libp2p\'s monitor is off)', async () => {
    net = await createTestNetwork(2)
    await net.start()
    const [a, b] = [net.node(0), net.node(1)]
    await net.waitFor(() => a.router.neighbours().some(l => l.ready && l.rttMs != null))
    const before = a.libp2p.getConnections(b.libp2p.peerId)
    expect(before).toHaveLength(1)
    // b goes quiet: it still reads pings but answers none (a throttled tab, a stalled link)
    const stall = { on: true }
    const protocol = b.libp2p.getProtocols().find(p => p.includes('/ping/'))!
    await b.libp2p.unhandle(protocol)
    await b.libp2p.handle(protocol, async (stream) => {
      for await (const buf of stream) {
        if (!stall.on) stream.send(buf)
      }
    }, { runOnLimitedConnection: true, maxInboundStreams: 8 })
    const stalledAt = Date.now()
    await net.waitFor(() => a.router.stats.heartbeatFailures >= 1, { timeoutMs: 40_000 })
    const stalledMs = Date.now() - stalledAt
    stall.on = false
    const resumedAt = Date.now()
    // the premise: the stall outlasted a ping interval and a timeout, and stayed under 30 s
    expect(stalledMs).toBeGreaterThan(10_000)
    expect(stalledMs).toBeLessThan(30_000)
    // the next heartbeat is answered: the same connection carried on
    await net.waitFor(() => (a.router.policy.lastHeartbeatAnsweredAt(b.peerId) ?? 0) >= resumedAt, { timeoutMs: 40_000 })
    expect(a.router.policy.missedHeartbeats(b.peerId)).toBe(0)
    expect(a.router.stats.deadPeers).toBe(0)
    expect(a.libp2p.getConnections(b.libp2p.peerId).map(c => c.id)).toEqual(before.map(c => c.id))
  }, 90_000)
})
