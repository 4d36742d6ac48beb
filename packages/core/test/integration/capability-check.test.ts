import { afterEach, describe, expect, it } from 'vitest'
import { PEX_PROTOCOL } from '../../src/pex/index.js'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('capability check on connect', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('marks a peer speaking another major peermesh protocol version inactive and never redials it', async () => {
    net = await createTestNetwork(2, { bootstrap: 'none' })
    await net.start()
    const [a, b] = [net.node(0), net.node(1)]
    // b speaks a future, incompatible peer exchange
    await b.libp2p.unhandle(PEX_PROTOCOL)
    await b.libp2p.handle('/peermesh/pex/2.0.0', async (stream) => { await stream.close() })
    a.addPeer(net.address(1))
    await net.waitFor(() => a.peerManager.peer(b.peerId)?.state === 'inactive', { timeoutMs: 10_000 })
    await net.waitFor(() => a.libp2p.getConnections(b.libp2p.peerId).length === 0)
    expect(a.router.stats.incompatiblePeers).toBe(1)
    expect(a.peerManager.tryDialNext()).toBeUndefined()
  })
})
