/**
 * What one simulated run measured (issue 11 §2, "per run"), and its text table. The table holds
 * simulated quantities only (never wall-clock time), so one seed prints one table, byte for byte.
 */
import type { Simulation, MeshSample } from './simulation.js'
import type { ScenarioOptions, ScenarioWindow } from './scenarios.js'
import type { SimulatedNode } from './simulated-node.js'
import { degreeHistogram, estimateDiameter, randomRegularDiameter } from './graph-metrics.js'

export interface ConvergenceFigures {
  /** Simulated ms from the start to the first sample (after the last join) with one component and everyone ≥ minConnected; undefined if never. */
  atMs: number | undefined
  /** The same, counted from the last join. */
  afterLastJoinMs: number | undefined
  /** PEX rounds from the last join to convergence: a node's requests in that span ÷ its neighbours (median and largest over nodes). */
  roundsMedian: number | undefined
  roundsMax: number | undefined
}

export interface SimulationReport {
  scenario: string
  nodes: number
  seed: number
  bootstrap: string
  minConnected: number
  maxConnected: number
  /** Simulated ms the run lasted. */
  durationMs: number
  /** Simulated events (timers) fired. */
  events: number
  convergence: ConvergenceFigures
  /** After a disturbance (partition heal): ms from its end to one component with everyone ≥ minConnected. */
  reconvergenceMs: number | undefined
  /** Share of samples in the steady window in which the mesh (nodes that reached minConnected once) is one component. */
  oneComponentShare: number
  /** The same over every running node, newcomers not linked yet included. */
  oneComponentShareAll: number
  samplesInWindow: number
  /** Running nodes and components at the end. */
  final: MeshSample
  degreeHistogram: Array<[degree: number, nodes: number]>
  meanDegree: number
  diameter: number
  meanDistance: number
  /** ln N / ln(d − 1) with d the mean degree. */
  randomRegularDiameter: number
  /** Steady window: peer-exchange frame bytes sent per running node per simulated minute. */
  pexBytesPerNodeMinute: number
  pexRequestsPerNodeMinute: number
  dialsPerNodeMinute: number
  /** Longest spell any node spent below minConnected after first reaching it (ms, sample resolution). */
  longestBelowMinMs: number
  /** Longest a node took from its start to its first minConnected neighbours (ms; nodes that got there). */
  longestTimeToMinMs: number
  /** Running nodes that never reached minConnected. */
  neverReachedMin: number
  penalties: number
  bans: number
}

const DIAMETER_SOURCES = 32

function median (values: number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

export function buildReport (sim: Simulation, options: ScenarioOptions, window: ScenarioWindow): SimulationReport {
  const samples = sim.samples
  const final = sim.sample()
  const isConverged = (s: MeshSample): boolean => s.alive > 0 && s.components === 1 && s.belowMin === 0
  const first = samples.find(s => s.t >= window.lastJoinMs && isConverged(s))
  const convergence: ConvergenceFigures = {
    atMs: first?.t,
    afterLastJoinMs: first === undefined ? undefined : first.t - window.lastJoinMs,
    roundsMedian: undefined,
    roundsMax: undefined
  }
  const before = sim.requestSnapshots.get('last join')
  const after = sim.requestSnapshots.get('converged')
  if (first !== undefined && before !== undefined && after !== undefined) {
    const rounds: number[] = []
    for (const node of sim.running()) {
      const start = before.get(node)
      const end = after.get(node)
      if (start === undefined || end === undefined) continue
      rounds.push((end - start) / Math.max(1, node.degree()))
    }
    convergence.roundsMedian = median(rounds)
    convergence.roundsMax = rounds.length === 0 ? undefined : Math.max(...rounds)
  }
  let reconvergenceMs: number | undefined
  if (window.disturbanceEndMs !== undefined) {
    const end = window.disturbanceEndMs
    const again = samples.find(s => s.t >= end && isConverged(s))
    reconvergenceMs = again === undefined ? undefined : again.t - end
  }

  const steadyTo = window.steadyToMs ?? Infinity
  const inWindow = samples.filter(s => s.t >= window.steadyFromMs && s.t <= steadyTo)
  const oneComponent = inWindow.filter(s => s.meshComponents <= 1).length
  const oneComponentAll = inWindow.filter(s => s.components === 1).length
  const firstInWindow = inWindow[0]
  const lastInWindow = inWindow.at(-1) ?? final
  const minutes = firstInWindow === undefined ? 0 : (lastInWindow.t - firstInWindow.t) / 60_000
  const meanAlive = inWindow.length === 0 ? final.alive : inWindow.reduce((sum, s) => sum + s.alive, 0) / inWindow.length
  const perNodeMinute = (delta: number): number => minutes > 0 && meanAlive > 0 ? delta / meanAlive / minutes : 0

  const { nodes, adjacency } = sim.graph()
  const degrees = adjacency.map(a => a.length)
  const meanDegree = degrees.length === 0 ? 0 : degrees.reduce((a, b) => a + b, 0) / degrees.length
  const { diameter, meanDistance } = estimateDiameter(adjacency, DIAMETER_SOURCES, sim.random('diameter'))

  let longestBelowMinMs = 0
  let longestTimeToMinMs = 0
  let neverReachedMin = 0
  for (const node of nodes) {
    const floor = sim.floor.get(node as SimulatedNode)
    if (floor === undefined) continue
    longestBelowMinMs = Math.max(longestBelowMinMs, floor.longestBelowMs)
    if (floor.reachedAt === undefined) neverReachedMin++
    else longestTimeToMinMs = Math.max(longestTimeToMinMs, floor.reachedAt - (node.joinedAt))
  }
  for (const node of sim.nodes) {
    if (node.running) continue
    const floor = sim.floor.get(node)
    if (floor !== undefined) longestBelowMinMs = Math.max(longestBelowMinMs, floor.longestBelowMs)
  }
  const bootstrapNode = sim.nodes[0]
  return {
    scenario: options.scenario,
    nodes: options.nodes,
    seed: options.seed,
    bootstrap: options.scenario === 'browser' ? `${options.relays ?? 2} relays, maxReservations ${options.maxReservations ?? 128}` : (options.bootstrap ?? 'member'),
    minConnected: (sim.nodes[sim.nodes.length - 1] ?? bootstrapNode)?.peerManagerOptions.minConnected ?? 0,
    maxConnected: (sim.nodes[sim.nodes.length - 1] ?? bootstrapNode)?.peerManagerOptions.maxConnected ?? 0,
    durationMs: final.t,
    events: sim.clock.firedTimers,
    convergence,
    reconvergenceMs,
    oneComponentShare: inWindow.length === 0 ? 0 : oneComponent / inWindow.length,
    oneComponentShareAll: inWindow.length === 0 ? 0 : oneComponentAll / inWindow.length,
    samplesInWindow: inWindow.length,
    final,
    degreeHistogram: [...degreeHistogram(degrees).entries()],
    meanDegree,
    diameter,
    meanDistance,
    randomRegularDiameter: randomRegularDiameter(nodes.length, meanDegree),
    pexBytesPerNodeMinute: perNodeMinute(lastInWindow.pexBytes - (firstInWindow?.pexBytes ?? 0)),
    pexRequestsPerNodeMinute: perNodeMinute(lastInWindow.pexRequests - (firstInWindow?.pexRequests ?? 0)),
    dialsPerNodeMinute: perNodeMinute(lastInWindow.dials - (firstInWindow?.dials ?? 0)),
    longestBelowMinMs,
    longestTimeToMinMs,
    neverReachedMin,
    penalties: sim.total('pexPenalties'),
    bans: sim.nodes.reduce((sum, n) => sum + (n.running ? n.pm.stats().bansIssued : 0), 0)
  }
}

const seconds = (ms: number | undefined): string => ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`
const fixed = (value: number | undefined, digits: number): string => value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits)

/** The report as an aligned two-column text table. */
export function formatReport (r: SimulationReport): string {
  const rows: Array<[string, string]> = [
    ['scenario', `${r.scenario} (${r.nodes} nodes, seed ${r.seed}, bootstrap: ${r.bootstrap})`],
    ['limits', `minConnected ${r.minConnected}, maxConnected ${r.maxConnected}`],
    ['simulated time', `${seconds(r.durationMs)} (${r.events} events)`],
    ['converged at', `${seconds(r.convergence.atMs)} (${seconds(r.convergence.afterLastJoinMs)} after the last join)`],
    ['PEX rounds to converge', `median ${fixed(r.convergence.roundsMedian, 1)}, max ${fixed(r.convergence.roundsMax, 1)} (requests per neighbour since the last join)`]
  ]
  if (r.scenario === 'partition') rows.push(['reconverged after heal', seconds(r.reconvergenceMs)])
  if (r.scenario === 'churn') rows.push(['converged after churn', seconds(r.reconvergenceMs)])
  rows.push(
    ['one component', `${fixed(100 * r.oneComponentShare, 2)} % of ${r.samplesInWindow} samples (steady window; ${fixed(100 * r.oneComponentShareAll, 2)} % counting newcomers not linked yet)`],
    ['final', `${r.final.alive} running, ${r.final.components} component(s), largest ${r.final.largestComponent}, ${r.final.belowMin} below minConnected`],
    ['degree histogram', r.degreeHistogram.map(([d, n]) => `${d}:${n}`).join(' ')],
    ['mean degree', fixed(r.meanDegree, 2)],
    ['diameter (BFS, 32 sources)', `${r.diameter} (mean distance ${fixed(r.meanDistance, 2)}); ln N / ln(d−1) = ${fixed(r.randomRegularDiameter, 2)}`],
    ['PEX bytes / node / min', `${fixed(r.pexBytesPerNodeMinute, 0)} (steady window; ${fixed(r.pexRequestsPerNodeMinute, 2)} requests)`],
    ['dials / node / min', `${fixed(r.dialsPerNodeMinute, 2)} (steady window)`],
    ['longest below minConnected', `${seconds(r.longestBelowMinMs)} (after first reaching it)`],
    ['longest join to minConnected', `${seconds(r.longestTimeToMinMs)}; never reached: ${r.neverReachedMin}`],
    ['PEX penalties / bans', `${r.penalties} / ${r.bans}`]
  )
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n'
}
