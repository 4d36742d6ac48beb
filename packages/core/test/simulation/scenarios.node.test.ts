import { describe, expect, it } from 'vitest'
import { runScenario, type ScenarioOptions, type SimulationReport } from '../../src/simulation/index.js'

/** Small runs: a short steady spell, and a bound for giving up that still leaves minutes to converge. */
const small = { steadyMs: 30_000, convergenceBoundMs: 240_000 }

function expectHealthy (report: SimulationReport): void {
  const detail = `components ${report.final.components}, below minConnected ${report.final.belowMin}, degrees ${report.degreeHistogram.map(([d, n]) => `${d}:${n}`).join(' ')}`
  expect(report.convergence.atMs, `never converged: ${detail}`).toBeDefined()
  expect(report.final.components, detail).toBe(1)
  expect(report.final.belowMin, detail).toBe(0)
  expect(report.final.minDegree).toBeGreaterThanOrEqual(report.minConnected)
}

async function run (options: Partial<ScenarioOptions> & Pick<ScenarioOptions, 'scenario' | 'nodes'>): Promise<SimulationReport> {
  return await runScenario({ seed: 1, ...small, ...options })
}

describe('mesh simulator › scenarios at small N (production PeerManager and PEX scheduler)', () => {
  it('join: 100 nodes from one bootstrap with the members\' limits', async () => {
    expectHealthy(await run({ scenario: 'join', nodes: 100 }))
  }, 600_000)

  it('join: 100 nodes from a bootstrap with the relay preset', async () => {
    expectHealthy(await run({ scenario: 'join', nodes: 100, bootstrap: 'relay' }))
  }, 600_000)

  it('flash crowd: 150 nodes join one ordinary bootstrap within 10 s', async () => {
    expectHealthy(await run({ scenario: 'flash', nodes: 150 }))
  }, 600_000)

  it('churn: 100 nodes, 5 % replaced per simulated minute for 10 minutes, the mesh stays one component', async () => {
    const report = await run({ scenario: 'churn', nodes: 100, churnPercent: 5, churnMinutes: 10 })
    expectHealthy(report)
    expect(report.oneComponentShare).toBeGreaterThanOrEqual(0.99)
    expect(report.longestBelowMinMs).toBeLessThanOrEqual(30_000)
  }, 600_000)

  it('churn with crashes: 6 minutes in which a third of the leavers vanish without a goodbye (heartbeats find them)', async () => {
    const report = await run({ scenario: 'churn', nodes: 100, churnPercent: 5, churnMinutes: 6, crashShare: 1 / 3 })
    expectHealthy(report)
  }, 600_000)

  it('partition: two halves apart for 60 s heal into one component', async () => {
    const report = await run({ scenario: 'partition', nodes: 100 })
    expectHealthy(report)
    expect(report.reconvergenceMs).toBeDefined()
  }, 600_000)

  it('browser shape: 120 tabs reachable only through 2 relays holding 64 reservations each', async () => {
    expectHealthy(await run({ scenario: 'browser', nodes: 122, relays: 2, maxReservations: 64 }))
  }, 600_000)
})
