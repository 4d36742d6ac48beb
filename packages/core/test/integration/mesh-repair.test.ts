/**
 * Two groups of members that filled their slots among themselves (two cliques of four, every
 * member full: three member links plus its relay) end as one mesh, without going over
 * maxConnected + upgrade slots. The topology-driven preferences (src/topology/mesh-repair.ts)
 * make sure of it; a neighbour whose score a failed dial lowered sometimes opens the way first.
 * Real nodes over the memory transport; the relay carries the topology between the groups. The
 * mechanism itself is tested deterministically in test/topology/mesh-repair.test.ts and
 * test/peer-manager/dialing.test.ts (setPreferences).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork, type TestNode } from '../../src/testing/index.js'

const member = { maxConnected: 4, minConnected: 3, maxOutgoingConnections: 4, maxConnectedUpgrade: 2 }

/** Components of the members' own links (the relay left out). */
function memberComponents (members: TestNode[]): string[][] {
  const ids = new Set(members.map(m => m.peerId))
  const adjacency = new Map(members.map(m => [m.peerId, m.router.neighbours().map(n => n.peerId).filter(id => ids.has(id))]))
  const seen = new Set<string>()
  const components: string[][] = []
  for (const start of ids) {
    if (seen.has(start)) continue
    const component = [start]
    seen.add(start)
    for (let i = 0; i < component.length; i++) {
      for (const next of adjacency.get(component[i]!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next)
          component.push(next)
        }
      }
    }
    components.push(component)
  }
  return components
}

describe('mesh repair', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('joins two full cliques that only meet through a relay into one mesh', async () => {
    net = await createTestNetwork(0, { bootstrap: 'none' })
    const relay = await net.addNode({ role: 'relay' })
    const groupA: TestNode[] = []
    const groupB: TestNode[] = []
    for (let i = 0; i < 4; i++) groupA.push(await net.addNode({ peerManager: member }))
    for (let i = 0; i < 4; i++) groupB.push(await net.addNode({ peerManager: member }))
    const members = [...groupA, ...groupB]
    const addressOf = (node: TestNode): string => net!.address(net!.nodes.indexOf(node))
    const maxSeen = new Map<string, number>()
    const watchDegree = (): void => {
      for (const m of members) maxSeen.set(m.peerId, Math.max(maxSeen.get(m.peerId) ?? 0, m.router.neighbours().length))
    }
    for (const m of members) m.addEventListener('peers:change', watchDegree)

    // Group A: the relay and each other; group B: each other only, for now. Each member is told
    // only of the members after it, so few dials cross (a failed dial lowers a neighbour's score,
    // which gives upgrades a way in even without the repair).
    await relay.start()
    for (const group of [groupA, groupB]) {
      for (const m of group) await m.start()
      for (const [i, m] of group.entries()) {
        if (group === groupA) m.addPeer(addressOf(relay))
        for (const other of group.slice(i + 1)) m.addPeer(addressOf(other))
      }
    }
    const inGroup = (group: TestNode[]) => group.every(m => group.every(o => o === m || m.router.neighbour(o.peerId) != null))
    await net.waitFor(() => inGroup(groupA) && inGroup(groupB), { timeoutMs: 30_000 })
    expect(memberComponents(members)).toHaveLength(2)

    // Group B meets the relay: now every member is full (three member links + the relay), the
    // topology crosses the relay, and only the repair can join the groups.
    for (const m of groupB) m.addPeer(addressOf(relay))
    await net.waitFor(() => memberComponents(members).length === 1 && members.every(m => m.router.neighbour(relay.peerId) != null), {
      timeoutMs: 60_000,
      describe: () => `member groups: ${memberComponents(members).map(c => c.length).join('+')}`
    })
    for (const m of members) expect(maxSeen.get(m.peerId), 'never above maxConnected + upgrade slots').toBeLessThanOrEqual(member.maxConnected + member.maxConnectedUpgrade)
  })
})
