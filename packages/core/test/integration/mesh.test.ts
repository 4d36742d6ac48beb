import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('a peermesh network over the memory transport', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('nodes bootstrapped from the first one connect to it', async () => {
    net = await createTestNetwork(3)
    await net.start()
    const hub = net.node(0)
    await net.waitFor(() => hub.router.neighbours().length === 2, { timeoutMs: 10_000 })
    expect(net.components()).toHaveLength(1)
  })

  it('nodes that only know the bootstrap node find each other through peer exchange', async () => {
    net = await createTestNetwork(4, { peerManager: { minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1 } })
    await net.start()
    await net.waitFor(() => net!.minDegree() >= 3, { timeoutMs: 20_000 })
    expect(net.components()).toHaveLength(1)
  })
})
