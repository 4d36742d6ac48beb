/**
 * What a libp2p connection is, for the router and the UI: its transport and whether it is direct.
 */
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerTransport } from '../node/types.js'

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

/**
 * Two connections to one peer opened further apart than this are not a simultaneous dial: the
 * peer came back (a reloaded tab, a restarted node) and the older connection is stale.
 */
export const SIMULTANEOUS_DIAL_WINDOW_MS = 5_000

/**
 * Which of two connections to the same peer both sides keep. A direct connection beats a limited
 * (relayed) one. Between two direct connections opened more than
 * {@link SIMULTANEOUS_DIAL_WINDOW_MS} apart the newer wins (the peer reconnected, e.g. after a
 * reload, and our end of the old one may not have noticed yet). Within that window it was a
 * simultaneous dial: the connection dialed by the peer with the smaller peer ID wins. Both ends
 * compute the same answer, so a pair never keeps two connections or none.
 */
export function preferredConnection (a: Connection, b: Connection, selfId: string): Connection {
  const aLimited = isLimited(a)
  const bLimited = isLimited(b)
  if (aLimited !== bLimited) return aLimited ? b : a
  if (Math.abs(a.timeline.open - b.timeline.open) > SIMULTANEOUS_DIAL_WINDOW_MS) {
    return a.timeline.open > b.timeline.open ? a : b
  }
  const remoteId = a.remotePeer.toString()
  const weDialWinner = selfId < remoteId
  const aWins = (a.direction === 'outbound') === weDialWinner
  const bWins = (b.direction === 'outbound') === weDialWinner
  if (aWins !== bWins) return aWins ? a : b
  // same direction on both: keep the older one (stable)
  return a.timeline.open <= b.timeline.open ? a : b
}
