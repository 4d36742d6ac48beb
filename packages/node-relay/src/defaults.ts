/**
 * Every default of the relay command, in one place. `--help` and the README show these values.
 */
import { WEBRTC_MEMBER_LISTEN } from '@peermesh/core'
import type { HttpAddress, LogLevel, RelayRole } from './options.js'

export const DEFAULTS = {
  role: 'relay' as RelayRole,
  /** Relative to the working directory, so that a checkout keeps its state beside it (git-ignored). */
  dataDir: './.peermesh',
  http: { host: '127.0.0.1', port: 8080 } satisfies HttpAddress,
  maxConnections: 256,
  /** libp2p's own default is 15; a relay for browser tabs holds one reservation per tab. */
  maxReservations: 128,
  logLevel: 'info' as LogLevel,
  /** How long a graceful stop may take before the process exits anyway, ms. */
  stopTimeoutMs: 10_000
} as const

/**
 * A relay listens for WebSocket connections on localhost; a peer listens only through its relays
 * (a reservation, then WebRTC signalled over it), like a browser tab.
 */
export function defaultListenFor (role: RelayRole): string[] {
  return role === 'relay' ? ['/ip4/127.0.0.1/tcp/4001/ws'] : [...WEBRTC_MEMBER_LISTEN]
}

/** Files inside `--data-dir`. */
export const DATA_DIR_LAYOUT = {
  identityKey: 'identity.key',
  peerStore: 'peers'
} as const
