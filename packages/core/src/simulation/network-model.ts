/**
 * What the simulated network does to bytes and connections: the only part of a simulated run
 * that is not production code. Latencies are drawn per message from the network's seeded stream.
 */
import type { Random } from '../clock.js'

export interface NetworkModel {
  /** Shortest one-way delay of a message, in ms. @default 10 */
  minLatencyMs: number
  /** Longest one-way delay of a message, in ms (uniform between the two). @default 60 */
  maxLatencyMs: number
  /**
   * Round trips a connection takes to set up (transport, Noise, yamux, multistream); a relayed
   * WebRTC connection takes `relayedSetupRoundTrips` instead (reservation lookup, SDP over the
   * relay, ICE). @default 3
   */
  setupRoundTrips: number
  /** @default 6 */
  relayedSetupRoundTrips: number
  /** Share of dials that fail for no reason the PeerManager could know (NAT, a flaky link). @default 0 */
  dialFailureRate: number
  /** Share of peer-exchange messages lost on the way (the requester then times out). @default 0 */
  messageLossRate: number
}

export const defaultNetworkModel: Readonly<NetworkModel> = Object.freeze({
  minLatencyMs: 10,
  maxLatencyMs: 60,
  setupRoundTrips: 3,
  relayedSetupRoundTrips: 6,
  dialFailureRate: 0,
  messageLossRate: 0
})

export class InvalidNetworkModelError extends Error {
  override name = 'InvalidNetworkModelError'
}

export function createNetworkModel (partial: Partial<NetworkModel> = {}): NetworkModel {
  const model: NetworkModel = { ...defaultNetworkModel }
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined && key in model) (model as unknown as Record<string, unknown>)[key] = value
  }
  const problems: string[] = []
  for (const key of ['minLatencyMs', 'maxLatencyMs', 'setupRoundTrips', 'relayedSetupRoundTrips'] as const) {
    if (!Number.isFinite(model[key]) || model[key] < 0) problems.push(`${key} must be a number ≥ 0`)
  }
  if (model.maxLatencyMs < model.minLatencyMs) problems.push('maxLatencyMs must be ≥ minLatencyMs')
  for (const key of ['dialFailureRate', 'messageLossRate'] as const) {
    if (!(model[key] >= 0 && model[key] <= 1)) problems.push(`${key} must be within [0, 1]`)
  }
  if (problems.length > 0) throw new InvalidNetworkModelError(problems.join('; '))
  return model
}

/** One message's one-way delay. */
export function oneWayLatencyMs (model: NetworkModel, random: Random): number {
  return Math.round(model.minLatencyMs + (model.maxLatencyMs - model.minLatencyMs) * random())
}
