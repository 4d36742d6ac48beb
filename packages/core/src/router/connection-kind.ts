/**
 * What a libp2p connection is, for the router and the UI: its transport, whether it is direct,
 * and (for WebRTC) whether ICE has selected a candidate pair and which kinds of candidates.
 */
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerTransport } from '../vocabulary.js'
import { prefersFirstConnection, type ConnectionFacts } from './router-policy.js'

/** Names the transport of a connection from its remote multiaddr. */
export function transportOf (addr: Multiaddr): PeerTransport {
  const names = new Set(addr.getComponents().map(c => c.name))
  if (names.has('webrtc-direct')) return 'webrtc-direct'
  if (names.has('webrtc')) return 'webrtc'
  if (names.has('p2p-circuit')) return 'circuit'
  if (names.has('ws') || names.has('wss')) return 'websocket'
  if (names.has('memory')) return 'memory'
  return 'tcp'
}

/** A connection is limited when it is relayed with data/time limits (a circuit-relay hop). */
export function isLimited (connection: Pick<Connection, 'limits'>): boolean {
  return connection.limits != null
}

/** The part of `RTCPeerConnection` read here (the browser's and node-datachannel's both have it). */
export interface PeerConnectionState {
  readonly connectionState: RTCPeerConnectionState
  getStats: () => Promise<RTCStatsReport>
}

/**
 * The `RTCPeerConnection` under a libp2p WebRTC connection (`/webrtc` or `/webrtc-direct`), or
 * undefined for any other connection. @libp2p/webrtc 6 keeps it on the multiaddr connection that
 * libp2p's `Connection` holds as `maConn` (`dist/src/rtcpeerconnection-to-conn.js`); neither is in
 * the public types, so this reads them defensively.
 */
export function peerConnectionOf (connection: object): PeerConnectionState | undefined {
  const maConn = (connection as { maConn?: unknown }).maConn
  if (typeof maConn !== 'object' || maConn === null) return undefined
  const pc = (maConn as { peerConnection?: unknown }).peerConnection
  if (typeof pc !== 'object' || pc === null) return undefined
  const candidate = pc as Partial<PeerConnectionState>
  if (typeof candidate.getStats !== 'function' || typeof candidate.connectionState !== 'string') return undefined
  return candidate as PeerConnectionState
}

/**
 * Whether a connection can carry traffic now. Every connection libp2p opened can, except a WebRTC
 * one whose peer connection is not `connected`: ICE has not (or no longer) selected a pair and
 * DTLS is not up. @libp2p/webrtc's answering side could hand such a connection on while ICE was
 * still checking (patches/@libp2p+webrtc+6.0.33.patch stops that); this is the router's own check.
 */
export function isEstablished (connection: object): boolean {
  const pc = peerConnectionOf(connection)
  // `disconnected` only follows `connected` (a pair was selected and may come back); a peer
  // connection still checking is `new`/`connecting`, one that gave up is `failed`/`closed`
  return pc == null || pc.connectionState === 'connected' || pc.connectionState === 'disconnected'
}

/** ICE candidate types (`RTCIceCandidateType`): host, server-reflexive (STUN), peer-reflexive, relayed (TURN). */
export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

/** The candidate pair ICE selected for a WebRTC connection. */
export interface SelectedCandidatePair {
  local: IceCandidateType
  remote: IceCandidateType
  /** `udp` or `tcp`, when the stats say. */
  protocol?: string
}

const CANDIDATE_TYPES: ReadonlySet<string> = new Set(['host', 'srflx', 'prflx', 'relay'])

/**
 * Reads the selected candidate pair from `getStats()`: the transport's `selectedCandidatePairId`
 * (Chromium, node-datachannel), else the pair marked `selected` (Firefox) or nominated and
 * succeeded. Undefined while ICE has selected none, or for a connection that is not WebRTC.
 */
export async function selectedCandidatePair (connection: object): Promise<SelectedCandidatePair | undefined> {
  const pc = peerConnectionOf(connection)
  if (pc == null || pc.connectionState !== 'connected') return undefined
  let report: RTCStatsReport
  try {
    report = await pc.getStats()
  } catch {
    return undefined
  }
  return selectedPairFromStats(report)
}

/** The selected pair in a stats report (see {@link selectedCandidatePair}). */
export function selectedPairFromStats (report: Pick<RTCStatsReport, 'forEach'>): SelectedCandidatePair | undefined {
  const stats = new Map<string, Record<string, unknown>>()
  report.forEach((value: Record<string, unknown>, key: string) => { stats.set(key, value) })
  let pair: Record<string, unknown> | undefined
  for (const entry of stats.values()) {
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') {
      pair = stats.get(entry.selectedCandidatePairId)
      if (pair != null) break
    }
  }
  if (pair == null) {
    for (const entry of stats.values()) {
      if (entry.type !== 'candidate-pair') continue
      if (entry.selected === true || (entry.nominated === true && entry.state === 'succeeded')) {
        pair = entry
        break
      }
    }
  }
  if (pair == null) return undefined
  const local = stats.get(String(pair.localCandidateId))
  const remote = stats.get(String(pair.remoteCandidateId))
  const localType = local?.candidateType
  const remoteType = remote?.candidateType
  if (typeof localType !== 'string' || !CANDIDATE_TYPES.has(localType) || typeof remoteType !== 'string' || !CANDIDATE_TYPES.has(remoteType)) return undefined
  const protocol = local?.protocol
  return {
    local: localType as IceCandidateType,
    remote: remoteType as IceCandidateType,
    ...(typeof protocol === 'string' ? { protocol } : {})
  }
}

export { SIMULTANEOUS_DIAL_WINDOW_MS } from './router-policy.js'

/** Which of two connections to the same peer both sides keep: {@link prefersFirstConnection}. */
export function preferredConnection (a: Connection, b: Connection, selfId: string): Connection {
  const facts = (c: Connection): ConnectionFacts => ({ direction: c.direction, limited: isLimited(c), established: isEstablished(c), openedAt: c.timeline.open })
  return prefersFirstConnection(facts(a), facts(b), selfId, a.remotePeer.toString()) ? a : b
}
