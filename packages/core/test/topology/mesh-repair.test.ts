import { describe, expect, it } from 'vitest'
import type { PeerRole, PeerTransport, TopologyGraph } from '../../src/node/types.js'
import { analyseMesh, MeshRepair, meshRepairPreferences } from '../../src/topology/mesh-repair.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'

/** A graph seen from `self`: members a…h are browsers, r is a relay; edges 'x-y' are direct unless given. */
function graph (self: string, edges: Array<string | [string, PeerTransport]>, roles: Record<string, PeerRole | undefined> = {}): TopologyGraph {
  const ids = new Set<string>([self])
  const list = edges.map(e => {
    const [pair, transport] = typeof e === 'string' ? [e, 'webrtc' as const] : e
    const [from, to] = pair.split('-') as [string, string]
    ids.add(from)
    ids.add(to)
    return { from, to, transport, direction: 'outbound' as const }
  })
  return {
    self,
    nodes: [...ids].map(peerId => {
      const role = peerId in roles ? roles[peerId] : (peerId.startsWith('r') ? 'relay' : 'browser')
      return { peerId, updatedAt: 0, ...(role !== undefined ? { role } : {}) }
    }),
    edges: list
  }
}

const clique = (ids: string[]): string[] => ids.flatMap((a, i) => ids.slice(i + 1).map(b => `${a}-${b}`))
const toRelay = (ids: string[]): Array<[string, PeerTransport]> => ids.map(id => [`${id}-r`, 'websocket'])

describe('analyseMesh', () => {
  it('finds two cliques joined only through a relay as two groups, ours first', () => {
    const g = graph('e', [...clique(['a', 'b', 'c', 'd']), ...clique(['e', 'f', 'g', 'h']), ...toRelay(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])])
    const analysis = analyseMesh(g)
    expect(analysis.member).toBe(true)
    expect(analysis.components).toEqual([['e', 'f', 'g', 'h'], ['a', 'b', 'c', 'd']])
    expect(analysis.criticalNeighbours).toEqual([])
  })

  it('does not count relayed links (the mesh must outlive its relays) nor links to unknown roles', () => {
    const g = graph('a', [['a-b', 'circuit'], 'a-x'], { x: undefined })
    expect(analyseMesh(g).components).toEqual([['a'], ['b']])
  })

  it('names the neighbours whose link is the only path to them', () => {
    // a–b–c in a line, plus a triangle a–d–e: b's link is a cut edge, d's and e's are not
    const g = graph('a', ['a-b', 'b-c', 'a-d', 'd-e', 'e-a'])
    expect(analyseMesh(g)).toMatchObject({ components: [['a', 'b', 'c', 'd', 'e']], criticalNeighbours: ['b'] })
  })

  it('leaves a relay out of it', () => {
    expect(analyseMesh(graph('r', toRelay(['a', 'b'])))).toEqual({ member: false, components: [], criticalNeighbours: [], linked: [] })
  })
})

describe('meshRepairPreferences', () => {
  const split = analyseMesh(graph('a', ['a-b', 'c-d', ...toRelay(['a', 'b', 'c', 'd'])]))

  it('prefers the critical neighbours always, and the other groups only once the split is acted on', () => {
    expect(meshRepairPreferences(split, false)).toEqual(new Map([['b', 20]]))
    expect(meshRepairPreferences(split, true)).toEqual(new Map([['b', 20], ['c', 20], ['d', 20]]))
  })

  it('does not prefer a member of another group that we already reach through a relay', () => {
    const relayedOnly = analyseMesh(graph('a', ['a-b', 'c-d', ['a-c', 'circuit'], ...toRelay(['a', 'b', 'c', 'd'])]))
    expect(relayedOnly.components).toEqual([['a', 'b'], ['c', 'd']])
    expect(meshRepairPreferences(relayedOnly, true)).toEqual(new Map([['b', 20], ['d', 20]]))
  })
})

describe('MeshRepair', () => {
  it('acts on a split only after the grace period, and stops once the mesh is whole', () => {
    const clock = createFakeClock(0)
    let current = graph('a', ['a-b', 'c-d', ...toRelay(['a', 'b', 'c', 'd'])])
    const given: Array<Map<string, number>> = []
    const repair = new MeshRepair({ graph: () => current, setPreferences: p => { given.push(new Map(p)) }, clock, graceMs: 3000, debounceMs: 250 })

    repair.changed()
    clock.advance(250)
    expect(repair.acting).toBe(false)
    expect(given.at(-1)).toEqual(new Map([['b', 20]]))

    // the split was first seen at 250 ms: the grace runs from there
    clock.advance(2999)
    expect(repair.acting).toBe(false)
    clock.advance(1)
    expect(repair.acting).toBe(true)
    expect(given.at(-1)).toEqual(new Map([['b', 20], ['c', 20], ['d', 20]]))

    // b links to c: one group again; a's link to b is still its only path to b
    current = graph('a', ['a-b', 'b-c', 'c-d', ...toRelay(['a', 'b', 'c', 'd'])])
    repair.changed()
    clock.advance(250)
    expect(repair.acting).toBe(false)
    expect(given.at(-1)).toEqual(new Map([['b', 20]]))
    repair.stop()
    expect(clock.pendingTimers()).toBe(0)
  })

  it('does not act on a split that heals within the grace period (a tab joining is alone for a moment)', () => {
    const clock = createFakeClock(0)
    let current = graph('a', ['a-b', ...toRelay(['a', 'b', 'c'])])
    const repair = new MeshRepair({ graph: () => current, setPreferences: () => {}, clock, graceMs: 3000, debounceMs: 250 })
    repair.changed()
    clock.advance(1000)
    current = graph('a', ['a-b', 'b-c', ...toRelay(['a', 'b', 'c'])])
    repair.changed()
    clock.advance(5000)
    expect(repair.acting).toBe(false)
    repair.stop()
  })
})
