/**
 * The `peermesh-sim` command (`npm run sim -- …` from the repository root): runs one scenario,
 * prints its table on stdout and writes its chart (SVG). stdout carries simulated figures only, so the same
 * arguments print the same bytes; the wall-clock time goes to stderr.
 *
 *   npm run sim -- --nodes 10000 --scenario churn --seed 1 --out docs/sim/churn-10k.svg
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { renderChart } from './chart.js'
import { formatReport } from './report.js'
import { runScenario, SCENARIOS, type ScenarioName, type ScenarioOptions } from './scenarios.js'

const USAGE = `usage: peermesh-sim [--scenario ${SCENARIOS.join('|')}] [--nodes N] [--seed S] [--out chart.svg]
  [--bootstrap member|relay] [--min-connected N] [--max-connected N] [--addressing ip|memory]
  [--join-rate PER_S] [--steady-s S] [--churn-minutes M] [--churn-percent P] [--crash-share F]
  [--partition-s S] [--relays N] [--max-reservations N] [--loss F] [--dial-failure F] [--json report.json] [--progress]`

function number (value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number (got ${JSON.stringify(value)})`)
  return parsed
}

export interface CliOutput {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli (argv: string[], output: CliOutput): Promise<number> {
  try {
    return await main(argv, output)
  } catch (err) {
    output.stderr(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`)
    return 2
  }
}

async function main (argv: string[], output: CliOutput): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'join' },
      nodes: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      json: { type: 'string' },
      bootstrap: { type: 'string', default: 'member' },
      'min-connected': { type: 'string' },
      'max-connected': { type: 'string' },
      addressing: { type: 'string' },
      'join-rate': { type: 'string' },
      'steady-s': { type: 'string' },
      'churn-minutes': { type: 'string' },
      'churn-percent': { type: 'string' },
      'crash-share': { type: 'string' },
      'partition-s': { type: 'string' },
      relays: { type: 'string' },
      'max-reservations': { type: 'string' },
      loss: { type: 'string' },
      'dial-failure': { type: 'string' },
      progress: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) {
    output.stdout(USAGE + '\n')
    return 0
  }
  if (values.bootstrap !== 'member' && values.bootstrap !== 'relay') throw new Error('--bootstrap is member or relay')
  if (values.addressing !== undefined && values.addressing !== 'ip' && values.addressing !== 'memory') throw new Error('--addressing is ip or memory')
  const member: Record<string, number> = {}
  const minConnected = number(values['min-connected'], 'min-connected')
  const maxConnected = number(values['max-connected'], 'max-connected')
  if (minConnected !== undefined) member.minConnected = minConnected
  if (maxConnected !== undefined) member.maxConnected = maxConnected
  const network: Record<string, number> = {}
  const loss = number(values.loss, 'loss')
  const dialFailure = number(values['dial-failure'], 'dial-failure')
  if (loss !== undefined) network.messageLossRate = loss
  if (dialFailure !== undefined) network.dialFailureRate = dialFailure
  const seconds = (name: string): number | undefined => {
    const s = number((values as unknown as Record<string, string | undefined>)[name], name)
    return s === undefined ? undefined : s * 1000
  }
  const options: ScenarioOptions = {
    scenario: values.scenario as ScenarioName,
    nodes: number(values.nodes, 'nodes') ?? 1000,
    seed: number(values.seed, 'seed') ?? 1,
    bootstrap: values.bootstrap,
    member,
    network,
    ...(values.addressing !== undefined ? { addressing: values.addressing as 'ip' | 'memory' } : {})
  }
  const optional: Array<[keyof ScenarioOptions, number | undefined]> = [
    ['joinRatePerSecond', number(values['join-rate'], 'join-rate')],
    ['steadyMs', seconds('steady-s')],
    ['churnMinutes', number(values['churn-minutes'], 'churn-minutes')],
    ['churnPercent', number(values['churn-percent'], 'churn-percent')],
    ['crashShare', number(values['crash-share'], 'crash-share')],
    ['partitionMs', seconds('partition-s')],
    ['relays', number(values.relays, 'relays')],
    ['maxReservations', number(values['max-reservations'], 'max-reservations')]
  ]
  for (const [key, value] of optional) if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value

  const started = performance.now()
  if (values.progress) {
    options.onSample = s => {
      if (s.t % 60_000 === 0) output.stderr(`${(s.t / 1000).toFixed(0)} s simulated: ${s.alive} running, ${s.components} components, ${s.belowMin} below minConnected (wall ${((performance.now() - started) / 1000).toFixed(0)} s)\n`)
    }
  }
  const { report, samples, marks } = await runScenarioWithSamples(options)
  const wallMs = performance.now() - started
  output.stdout(formatReport(report))
  const out = values.out ?? join(tmpdir(), 'peermesh-sim', `${options.scenario}-${options.nodes}-seed${options.seed}.svg`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, renderChart({
    title: `${options.scenario}, ${options.nodes} nodes, seed ${options.seed}, bootstrap: ${report.bootstrap}`,
    samples,
    marks,
    minConnected: report.minConnected
  }))
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n')
  output.stderr(`chart: ${out}\nwall time: ${(wallMs / 1000).toFixed(1)} s\n`)
  if (report.convergence.atMs === undefined) output.stderr(`did not converge; replay this run exactly with: npm run sim -- ${argv.join(' ')}\n`)
  return 0
}

async function runScenarioWithSamples (options: ScenarioOptions): Promise<{ report: Awaited<ReturnType<typeof runScenario>>, samples: import('./simulation.js').MeshSample[], marks: Array<{ t: number, label: string }> }> {
  let captured: { samples: import('./simulation.js').MeshSample[], marks: Array<{ t: number, label: string }> } = { samples: [], marks: [] }
  const report = await runScenario({ ...options, onFinished: sim => { captured = { samples: sim.samples, marks: sim.marks } } })
  return { report, ...captured }
}
