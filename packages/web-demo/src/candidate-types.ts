/**
 * Which ICE candidates each direct WebRTC link of this tab uses (host, srflx, prflx, relay), read
 * from its RTCPeerConnection's `getStats()` selected pair (core's `selectedCandidatePair`), for the
 * peer table and the graph. A link whose ICE has selected no pair has no entry.
 */
import { selectedCandidatePair, type SelectedCandidatePair } from '@peermesh/core'

/** Selected candidate pairs by remote peer ID. */
export type CandidatePairs = ReadonlyMap<string, SelectedCandidatePair>

/** The part of a libp2p node read here. */
export interface ConnectionSource {
  getConnections: () => ReadonlyArray<{ remotePeer: { toString: () => string }, limits?: unknown, status: string }>
}

/** Reads the selected pair of every open, unlimited connection that has one. */
export async function readCandidatePairs (libp2p: ConnectionSource): Promise<Map<string, SelectedCandidatePair>> {
  const pairs = new Map<string, SelectedCandidatePair>()
  await Promise.all(libp2p.getConnections().map(async (connection) => {
    if (connection.status !== 'open' || connection.limits != null) return
    const pair = await selectedCandidatePair(connection)
    if (pair !== undefined) pairs.set(connection.remotePeer.toString(), pair)
  }))
  return pairs
}

/** Whether the link goes through a TURN server (either end's candidate is relayed). */
export function viaTurn (pair: SelectedCandidatePair): boolean {
  return pair.local === 'relay' || pair.remote === 'relay'
}

/** `srflx ↔ srflx`, `relay ↔ prflx (TURN)`: the candidate types, local first. */
export function candidatePairLabel (pair: SelectedCandidatePair): string {
  return `${pair.local} ↔ ${pair.remote}${viaTurn(pair) ? ' (TURN)' : ''}`
}

/** Whether two pair maps say the same. */
export function sameCandidatePairs (a: CandidatePairs, b: CandidatePairs): boolean {
  if (a.size !== b.size) return false
  for (const [peerId, pair] of a) {
    const other = b.get(peerId)
    if (other === undefined || other.local !== pair.local || other.remote !== pair.remote) return false
  }
  return true
}
