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
})
