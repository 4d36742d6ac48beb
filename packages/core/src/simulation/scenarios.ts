/**
 * The simulator's scenarios (issue 11 §2). Each builds a {@link Simulation}, drives it through
 * its story on the simulated clock and returns the run's {@link SimulationReport}.
 *
 * - `join`: N nodes join one bootstrap node, `joinRatePerSecond` at a time, then a steady spell;
 * - `flash`: the same N join within `flashWindowMs` (10 s);
 * - `churn`: after a flash join, every simulated minute `churnPercent` % of the nodes leave and
 *   as many new ones join (spread over the minute), for `churnMinutes`;
 * - `partition`: after a flash join the network splits in two halves for `partitionMs`, then heals;
 * - `browser`: `relays` relays (relay preset, `maxReservations`) and N browser tabs (browser
 *   preset) that are reachable only through a relay where they hold a reservation.
 *
 * The bootstrap node has the members' limits unless `bootstrap: 'relay'` (the relay preset).
 */
import { createPeerManagerOptions, relayPeerManagerOptions, browserPeerManagerOptions, type PeerManagerOptions } from '../peer-manager/index.js'
import type { NetworkModel } from './network-model.js'
import { Simulation, type MeshSample, type NodeSpec, type SimulatedAddressing } from './simulation.js'
import type { SimulatedNode } from './simulated-node.js'
import { buildReport, type SimulationReport } from './report.js'
import { randomInt } from './seeded-random.js'

export const SCENARIOS = ['join', 'flash', 'churn', 'partition', 'browser'] as const
export type ScenarioName = typeof SCENARIOS[number]

/** The members' limits of issue 11 and of the project's test kit. */
export const memberLimits: Readonly<Partial<PeerManagerOptions>> = Object.freeze({
  minConnected: 3, maxConnected: 6, maxOutgoingConnections: 4, maxConnectedUpgrade: 1
})

export interface ScenarioOptions {
  scenario: ScenarioName
  nodes: number
  seed: number
  /** The bootstrap's limits: the members' own, or the relay preset. @default 'member' */
  bootstrap?: 'member' | 'relay'
  /** Members' PeerManager options over the defaults. @default memberLimits */
  member?: Partial<PeerManagerOptions>
  network?: Partial<NetworkModel>
  addressing?: SimulatedAddressing
  /** `join`: arrivals per simulated second. @default 20 */
  joinRatePerSecond?: number
  /** `flash`, `churn`, `partition`: everyone joins within this. @default 10_000 */
  flashWindowMs?: number
  /** Simulated time kept running after convergence (steady state is measured in it). @default 300_000 */
  steadyMs?: number
  /** Give up waiting for convergence after this long past the last join. @default 600_000 */
  convergenceBoundMs?: number
  /** `churn`: share of nodes replaced per simulated minute, in percent. @default 1 */
  churnPercent?: number
  /** @default 60 */
  churnMinutes?: number
  /** `churn`: share of leavers that crash instead of saying goodbye. @default 0 */
  crashShare?: number
  /** `partition`: how long the halves stay apart. @default 60_000 */
  partitionMs?: number
  /** `browser`: relays. @default 2 */
  relays?: number
  /** `browser`: reservations per relay. @default 128 */
  maxReservations?: number
  /** Graph samples every this many simulated ms. @default 1000 */
  sampleIntervalMs?: number
  /** Told about every graph sample while the run goes (progress output). */
  onSample?: (sample: MeshSample) => void
  /** Called with the finished simulation (its samples and marks, for a chart). */
  onFinished?: (sim: Simulation) => void
}

export class InvalidScenarioError extends Error {
  override name = 'InvalidScenarioError'
}

/** Runs one scenario to the end and reports it. */
export async function runScenario (options: ScenarioOptions): Promise<SimulationReport> {
  if (!SCENARIOS.includes(options.scenario)) throw new InvalidScenarioError(`unknown scenario ${JSON.stringify(options.scenario)} (known: ${SCENARIOS.join(', ')})`)
  if (!Number.isInteger(options.nodes) || options.nodes < 2) throw new InvalidScenarioError('nodes must be an integer ≥ 2')
  if (!Number.isInteger(options.seed) || options.seed < 0) throw new InvalidScenarioError('seed must be an integer ≥ 0')
  const sim = new Simulation({
    seed: options.seed,
    ...(options.network !== undefined ? { network: options.network } : {}),
    ...(options.addressing !== undefined ? { addressing: options.addressing } : {}),
    ...(options.sampleIntervalMs !== undefined ? { sampleIntervalMs: options.sampleIntervalMs } : {})
  })
  sim.onProgress = options.onSample
  const story = options.scenario === 'browser' ? browserStory : memberStory
  const window = await story(sim, options)
  const report = buildReport(sim, options, window)
  options.onFinished?.(sim)
  return report
}

/** When the part of the run that the report measures starts and ends. */
export interface ScenarioWindow {
  /** The last join of the initial population (convergence is timed from it). */
  lastJoinMs: number
  /** Steady state is measured from here to the end. */
  steadyFromMs: number
  /** Steady state is measured up to here (default: the end of the run). */
  steadyToMs?: number
  /** Convergence after the disturbance (partition heal, end of churn), if there is one. */
  disturbanceEndMs?: number
}

const converged = (s: { components: number, belowMin: number, alive: number }): boolean => s.alive > 0 && s.components === 1 && s.belowMin === 0

async function memberStory (sim: Simulation, o: ScenarioOptions): Promise<ScenarioWindow> {
  const member = createPeerManagerOptions({ ...memberLimits, ...o.member })
  const bootstrapOptions = o.bootstrap === 'relay' ? relayPeerManagerOptions : member
  const steadyMs = o.steadyMs ?? 300_000
  const bound = o.convergenceBoundMs ?? 600_000
  const bootstrap = await sim.addNode({ role: o.bootstrap === 'relay' ? 'relay' : 'node', peerManager: bootstrapOptions })
  const spec: NodeSpec = { peerManager: member, bootstrap: [bootstrap] }
  const joinRandom = sim.random('joins')
  let lastJoinMs = 0
  if (o.scenario === 'join') {
    const rate = o.joinRatePerSecond ?? 20
    for (let i = 1; i < o.nodes; i++) {
      lastJoinMs = Math.round(i * 1000 / rate)
      sim.joinAt(lastJoinMs, spec)
    }
  } else {
    const windowMs = o.flashWindowMs ?? 10_000
    const times = Array.from({ length: o.nodes - 1 }, () => Math.round(joinRandom() * windowMs)).sort((a, b) => a - b)
    for (const t of times) sim.joinAt(t, spec)
    lastJoinMs = times.at(-1) ?? 0
  }
  sim.at(lastJoinMs, () => { sim.mark('last join'); sim.snapshotRequests('last join') })
  await sim.run(lastJoinMs + bound, s => s.t > lastJoinMs && converged(s))
  const convergedAt = sim.elapsed()
  sim.snapshotRequests('converged')

  if (o.scenario === 'join' || o.scenario === 'flash') {
    await sim.run(convergedAt + steadyMs)
    // the first simulated minute after convergence still settles; steady state is what follows
    return { lastJoinMs, steadyFromMs: convergedAt + Math.min(60_000, steadyMs / 2) }
  }

  if (o.scenario === 'partition') {
    const partitionMs = o.partitionMs ?? 60_000
    const start = convergedAt + 30_000
    const side = new Map<SimulatedNode, number>()
    const sideRandom = sim.random('partition')
    sim.at(start, () => {
      sim.mark('partition')
      for (const node of sim.running()) side.set(node, sideRandom() < 0.5 ? 0 : 1)
      sim.network.partition(node => side.get(node) ?? 0)
    })
    sim.at(start + partitionMs, () => {
      sim.mark('heal')
      sim.network.heal()
    })
    await sim.run(start + partitionMs)
    await sim.run(start + partitionMs + bound, s => s.t > start + partitionMs && converged(s))
    const healedAt = sim.elapsed()
    sim.snapshotRequests('reconverged')
    await sim.run(healedAt + Math.min(steadyMs, 120_000))
    return { lastJoinMs, steadyFromMs: healedAt, disturbanceEndMs: start + partitionMs }
  }

  // churn
  const minutes = o.churnMinutes ?? 60
  const percent = o.churnPercent ?? 1
  const crashShare = o.crashShare ?? 0
  const churnStart = convergedAt
  const churnRandom = sim.random('churn')
  sim.mark('churn starts')
  for (let m = 0; m < minutes; m++) {
    const minuteStart = churnStart + m * 60_000
    sim.at(minuteStart, () => {
      const candidates = sim.running().filter(n => n !== bootstrap)
      const count = Math.max(1, Math.round(candidates.length * percent / 100))
      for (let k = 0; k < count; k++) {
        const leaveAt = minuteStart + Math.round(churnRandom() * 60_000)
        const joinAt = minuteStart + Math.round(churnRandom() * 60_000)
        const crash = churnRandom() < crashShare
        sim.at(leaveAt, () => {
          const alive = sim.running().filter(n => n !== bootstrap)
          const leaver = alive[randomInt(churnRandom, alive.length)]
          if (leaver !== undefined) void leaver.stop(crash ? 'crash' : 'goodbye')
        })
        sim.joinAt(joinAt, spec)
      }
    })
  }
  await sim.run(churnStart + minutes * 60_000)
  sim.mark('churn ends')
  // the last joiners get the same time to settle as everyone had
  const churnEnd = sim.elapsed()
  await sim.run(churnEnd + bound, s => s.t > churnEnd && converged(s))
  return { lastJoinMs, steadyFromMs: churnStart, steadyToMs: churnEnd, disturbanceEndMs: churnEnd }
}

async function browserStory (sim: Simulation, o: ScenarioOptions): Promise<ScenarioWindow> {
  const tab = createPeerManagerOptions({ ...browserPeerManagerOptions, ...o.member })
  const relayCount = o.relays ?? 2
  const steadyMs = o.steadyMs ?? 300_000
  const bound = o.convergenceBoundMs ?? 600_000
  const relays: SimulatedNode[] = []
  for (let i = 0; i < relayCount; i++) {
    relays.push(await sim.addNode({ role: 'relay', peerManager: relayPeerManagerOptions, maxReservations: o.maxReservations ?? 128, bootstrap: relays.slice() }))
  }
  const joinRandom = sim.random('joins')
  const windowMs = o.flashWindowMs ?? 10_000
  const times = Array.from({ length: o.nodes - relayCount }, () => Math.round(joinRandom() * windowMs)).sort((a, b) => a - b)
  for (const t of times) sim.joinAt(t, { role: 'browser', peerManager: tab, bootstrap: relays, targetRelays: 2 })
  const lastJoinMs = times.at(-1) ?? 0
  sim.at(lastJoinMs, () => { sim.mark('last join'); sim.snapshotRequests('last join') })
  await sim.run(lastJoinMs + bound, s => s.t > lastJoinMs && converged(s))
  const convergedAt = sim.elapsed()
  sim.snapshotRequests('converged')
  await sim.run(convergedAt + steadyMs)
  return { lastJoinMs, steadyFromMs: convergedAt }
}
