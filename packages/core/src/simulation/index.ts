/**
 * @peermesh/core/simulation: a deterministic mesh simulator that runs the production decision
 * code (the PeerManager, the peer-exchange scheduler and the router's loops) on one simulated
 * clock over a simulated network. Only I/O is simulated: connection set-up latency, dial failures,
 * message delivery and loss, joins and leaves. One seed reproduces a whole run.
 * docs/ARCHITECTURE.md, "Mesh simulator"; figures and commands in docs/BENCHMARKS.md.
 *
 * @example
 * ```ts
 * import { runScenario, formatReport } from '@peermesh/core/simulation'
 *
 * const report = await runScenario({ scenario: 'flash', nodes: 200, seed: 1 })
 * console.log(formatReport(report))
 * ```
 */
export { createSimulatedClock, type SimulatedClock } from './simulated-clock.js'
export { seededRandom, randomStream, deriveSeed } from './seeded-random.js'
export { createNetworkModel, defaultNetworkModel, InvalidNetworkModelError, type NetworkModel } from './network-model.js'
export { SimulatedNetwork, SimulatedDialError, type DialFailureReason } from './simulated-network.js'
export { SimulatedNode, type SimulatedRole, type SimulatedNodeStats } from './simulated-node.js'
export { Simulation, type SimulationInit, type NodeSpec, type MeshSample, type SimulatedAddressing } from './simulation.js'
export { componentSizes, degreeHistogram, estimateDiameter, randomRegularDiameter, type Adjacency } from './graph-metrics.js'
export { runScenario, memberLimits, SCENARIOS, InvalidScenarioError, type ScenarioName, type ScenarioOptions, type ScenarioWindow } from './scenarios.js'
export { buildReport, formatReport, type SimulationReport, type ConvergenceFigures } from './report.js'
export { renderChart, type ChartInput } from './chart.js'
