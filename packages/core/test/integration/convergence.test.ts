import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

const member = { minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1 }

describe('mesh formation with real libp2p nodes over the memory transport', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('21 nodes bootstrapped from one node with the same limits reach the minimum degree in one connected component', async () => {
    // an ordinary bootstrap: node 0 has the members' limits (6 slots for 20 newcomers)
    net = await createTestNetwork(21, { peerManager: member })
    await net.start()
    // a bound for a failure message, not a wait: on a loaded 2-core CI machine this can take a while
    await net.waitFor(() => net!.components().length === 1 && net!.minDegree() >= 3, { timeoutMs: 100_000 })
    expect(net.components()[0]?.size).toBe(21)
    // the mesh does not hang off the bootstrap node alone: most nodes found others through PEX
    const others = net.nodes.slice(1).map(n => n.router.neighbours().filter(l => l.peerId !== net!.node(0).peerId).length)
    expect(Math.min(...others)).toBeGreaterThanOrEqual(2)
  }, 120_000)

  it('never holds more than maxConnected + maxConnectedUpgrade connections, end to end', async () => {
    const limits = { minConnected: 2, maxConnected: 3, maxOutgoingConnections: 2, maxConnectedUpgrade: 1 }
    net = await createTestNetwork(10, { peerManager: limits })
    let worst = 0
    const record = (): void => {
      for (const node of net!.nodes) worst = Math.max(worst, node.router.neighbours().length)
    }
    for (const node of net.nodes) node.addEventListener('peers:change', record)
    await net.start()
    await net.waitFor(() => { record(); return net!.components().length === 1 && net!.minDegree() >= 2 }, { timeoutMs: 45_000 })
    record()
    expect(worst).toBeLessThanOrEqual(limits.maxConnected + limits.maxConnectedUpgrade)
    for (const node of net.nodes) expect(node.router.neighbours().length).toBeLessThanOrEqual(limits.maxConnected + limits.maxConnectedUpgrade)
  }, 60_000)

  it('notices a node that leaves and replaces it to keep the minimum degree', async () => {
    net = await createTestNetwork(8, { peerManager: member })
    await net.start()
    await net.waitFor(() => net!.components().length === 1 && net!.minDegree() >= 3, { timeoutMs: 60_000 })
    const watcher = net.node(1)
    const leaverId = watcher.router.neighbours().map(l => l.peerId).find(id => id !== net!.node(0).peerId)
    expect(leaverId).toBeDefined()
    const leaver = net.nodes.find(n => n.peerId === leaverId)!
    await leaver.stop()
    await net.waitFor(() => !watcher.router.neighbours().some(l => l.peerId === leaverId), { timeoutMs: 10_000 })
    await net.waitFor(() => net!.components().length === 1 && net!.minDegree() >= 3, { timeoutMs: 60_000 })
    expect(watcher.router.neighbours().length).toBeGreaterThanOrEqual(3)
  }, 60_000)

  it('a restarted node comes back with its identity and its known peers from its store', async () => {
    net = await createTestNetwork(5, { peerManager: member })
    await net.start()
    await net.waitFor(() => net!.minDegree() >= 3, { timeoutMs: 60_000 })
    const before = net.node(3)
    const known = new Set(before.peers().map(p => p.peerId))
    await before.flush()
    const after = await net.restart(3)
    expect(after.peerId).toBe(before.peerId)
    // known peers are loaded from the store before any connection is made
    const reloaded = new Set(after.peerManager.peers().map(p => p.peerId))
    for (const id of known) expect(reloaded.has(id)).toBe(true)
    await net.waitFor(() => after.router.neighbours().length >= 3, { timeoutMs: 60_000 })
  }, 60_000)
})
