/**
 * What a libp2p connection is, for the router and the UI: its transport and whether it is direct.
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

export { SIMULTANEOUS_DIAL_WINDOW_MS } from './router-policy.js'

/** Which of two connections to the same peer both sides keep: {@link prefersFirstConnection}. */
export function preferredConnection (a: Connection, b: Connection, selfId: string): Connection {
  const facts = (c: Connection): ConnectionFacts => ({ direction: c.direction, limited: isLimited(c), openedAt: c.timeline.open })
  return prefersFirstConnection(facts(a), facts(b), selfId, a.remotePeer.toString()) ? a : b
}
