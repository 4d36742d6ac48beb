import { afterEach, describe, expect, it } from 'vitest'
import { InvalidPeerManagerOptionsError } from '../../src/peer-manager/index.js'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('createTestNetwork › peer manager options', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop(); net = undefined })

  it('takes a partial option set and derives the rest: maxConnected 6 lowers the outbound cap of 12', async () => {
    net = await createTestNetwork(12, { peerManager: { minConnected: 3, maxConnected: 6 } })
    await net.start()
    await net.waitFor(() => net!.components().length === 1 && net!.minDegree() >= 3, { timeoutMs: 30_000 })
    for (const node of net.nodes) {
      const stats = node.peerManager.stats()
      // maxConnected 6 plus the 4 upgrade slots of the defaults
      expect(stats.connected).toBeLessThanOrEqual(10)
      expect(stats.outbound).toBeLessThanOrEqual(6)
    }
  })

  it('refuses a set of its own options that conflict, naming only those', async () => {
    const built = createTestNetwork(2, { peerManager: { maxConnected: 6, maxOutgoingConnections: 12 } })
    await expect(built).rejects.toBeInstanceOf(InvalidPeerManagerOptionsError)
    await expect(built).rejects.toThrow('invalid peer manager options: maxOutgoingConnections 12 exceeds maxConnected 6')
  })
})
