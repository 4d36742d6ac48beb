/**
 * The core promise at scale, with real libp2p nodes over the memory transport: 100 nodes, every
 * one (the bootstrap included) with the same ordinary limits, all bootstrapped from node 0, form
 * one component with every node at its minimum degree; then a quarter of them (node 0 among
 * them) stop and the rest repair back to one component at the minimum. The waits are for states;
 * the ceilings are failure bounds for a loaded 2-core CI machine, not timings
 * (`npm run bench:mesh -w @peermesh/core` measures).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

const member = { minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1 }
const NODES = 100

describe('a mesh of 100 real nodes from one ordinary bootstrap', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('reaches one component with everyone at minConnected, and repairs after a quarter leave', async () => {
    net = await createTestNetwork(NODES, { peerManager: member })
    // the premise: node 0 is an ordinary member, not a generous bootstrap
    expect(net.node(0).router.policy.options.maxGraceConnections).toBeLessThan(member.maxConnected * 2)
    await net.start()
    const settled = (): boolean => net!.components().length === 1 && net!.minDegree() >= member.minConnected
    await net.waitFor(settled, { timeoutMs: 480_000 })
    expect(net.components()[0]?.size).toBe(NODES)
    for (const node of net.nodes) expect(node.router.neighbours().length).toBeLessThanOrEqual(member.maxConnected + member.maxConnectedUpgrade)
    // full nodes made room: without rewiring 100 nodes cannot hang off a bootstrap with 6 slots
    expect(net.nodes.reduce((sum, node) => sum + node.router.stats.rewires, 0)).toBeGreaterThan(0)

    // every 4th node leaves, the bootstrap first among them
    const leavers = net.nodes.filter((_node, i) => i % 4 === 0)
    await Promise.all(leavers.map(async node => { await node.stop() }))
    await net.waitFor(settled, { timeoutMs: 300_000 })
    expect(net.components()[0]?.size).toBe(NODES - leavers.length)
  }, 900_000)
})
