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
 * Which of two connections to the same peer both sides keep. A direct connection beats a limited
 * (relayed) one. Between two direct connections the one dialed by the peer with the smaller peer
 * ID wins; both ends compute the same answer, so a simultaneous dial never leaves two connections
 * or zero.
 */
export function preferredConnection (a: Connection, b: Connection, selfId: string): Connection {
  const aLimited = isLimited(a)
  const bLimited = isLimited(b)
  if (aLimited !== bLimited) return aLimited ? b : a
  const remoteId = a.remotePeer.toString()
  const weDialWinner = selfId < remoteId
  const aWins = (a.direction === 'outbound') === weDialWinner
  const bWins = (b.direction === 'outbound') === weDialWinner
  if (aWins !== bWins) return aWins ? a : b
  // same direction on both: keep the older one (stable)
  return a.timeline.open <= b.timeline.open ? a : b
}
