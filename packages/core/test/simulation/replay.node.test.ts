import { describe, expect, it } from 'vitest'
import { createPeerManagerOptions } from '../../src/peer-manager/index.js'
import { Simulation, memberLimits } from '../../src/simulation/index.js'

/**
 * Issue 11's failure as it was: 40 members from an ordinary bootstrap that turns newcomers away at
 * once (no grace, no rewiring). It must fail, and replaying its seed must fail the same way, node
 * for node: a failing seed is a regression case anyone can rerun.
 */
async function withoutGrace (seed: number): Promise<{ converged: boolean, degrees: string, events: number }> {
  const sim = new Simulation({ seed })
  const member = createPeerManagerOptions(memberLimits)
  const router = { refusedConnectionGraceMs: 0, maintenanceIntervalMs: 0 }
  const bootstrap = await sim.addNode({ peerManager: member, router })
  for (let i = 1; i < 40; i++) sim.joinAt(i * 10, { peerManager: member, router, bootstrap: [bootstrap] })
  await sim.run(120_000)
  const last = sim.samples.at(-1)
  return {
    converged: last !== undefined && last.components === 1 && last.belowMin === 0,
    degrees: sim.nodes.map(n => `${n.peerId.slice(-6)}:${n.neighbourIds().sort().join(',')}`).join(' '),
    events: sim.clock.firedTimers
  }
}

describe('mesh simulator › replaying a failing seed', () => {
  it('a run that fails fails again, identically, when its seed is replayed', async () => {
    const first = await withoutGrace(11)
    expect(first.converged, 'the premise: without grace an ordinary bootstrap strands newcomers').toBe(false)
    const replay = await withoutGrace(11)
    expect(replay.converged).toBe(false)
    expect(replay.events).toBe(first.events)
    expect(replay.degrees).toBe(first.degrees)
  }, 300_000)
})
