import { describe, expect, it } from 'vitest'
import { formatReport, renderChart, runScenario, type ScenarioOptions, type Simulation } from '../../src/simulation/index.js'

async function runTwice (options: ScenarioOptions): Promise<Array<{ table: string, chart: string, json: string }>> {
  const out: Array<{ table: string, chart: string, json: string }> = []
  for (let i = 0; i < 2; i++) {
    let sim: Simulation | undefined
    const report = await runScenario({ ...options, onFinished: s => { sim = s } })
    const chart = renderChart({ title: 'x', samples: sim?.samples ?? [], marks: sim?.marks ?? [], minConnected: report.minConnected })
    out.push({ table: formatReport(report), chart, json: JSON.stringify(report) })
  }
  return out
}

describe('mesh simulator › determinism', () => {
  it('the same seed gives the same table, chart and report, byte for byte', async () => {
    // churn with crashes and message loss: timeouts, penalties, heartbeats and retries all take part
    const options: ScenarioOptions = {
      scenario: 'churn', nodes: 60, seed: 7, bootstrap: 'relay', churnPercent: 5, churnMinutes: 3, crashShare: 0.5,
      network: { messageLossRate: 0.05, dialFailureRate: 0.05 }, steadyMs: 20_000, convergenceBoundMs: 120_000
    }
    const [a, b] = await runTwice(options)
    expect(b?.table).toBe(a?.table)
    expect(b?.chart).toBe(a?.chart)
    expect(b?.json).toBe(a?.json)
    // the run did exercise what it claims to
    const report = JSON.parse(a?.json ?? '{}')
    expect(report.events).toBeGreaterThan(1000)
    expect(report.penalties).toBeGreaterThan(0)
  }, 120_000)

  it('another seed gives another run', async () => {
    const base: ScenarioOptions = { scenario: 'flash', nodes: 50, seed: 1, bootstrap: 'relay', steadyMs: 10_000 }
    const one = formatReport(await runScenario(base))
    const two = formatReport(await runScenario({ ...base, seed: 2 }))
    expect(two).not.toBe(one)
  }, 60_000)
})
