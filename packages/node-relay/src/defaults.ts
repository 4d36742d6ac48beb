/**
 * Every default of the relay command, in one place. `--help` and the README show these values.
 */
import {
  RELAY_SERVER_DEFAULTS, createPeerManagerOptions, defaultPeerManagerOptions, relayPeerManagerOptions, type PeerManagerOptions
} from '@peermesh/core'
import type { HttpAddress, LogLevel, RelayRole } from './vocabulary.js'

export const DEFAULTS = {
  role: 'relay' as RelayRole,
  /** Relative to the working directory, so that a checkout keeps its state beside it (git-ignored). */
  dataDir: './.peermesh',
  http: { host: '127.0.0.1', port: 8080 } satisfies HttpAddress,
  /** Core's relay server default (libp2p's own is 15): one reservation per connected tab. */
  maxReservations: RELAY_SERVER_DEFAULTS.maxReservations,
  /**
   * Highest `--max-connections` accepted: libp2p underneath (core's `LIBP2P_NODE_DEFAULTS`) closes
   * connections above 300, which must leave room for upgrade slots and relayed links.
   */
  maxConnectionsLimit: 256,
  /** Highest `--max-reservations` accepted. */
  maxReservationsLimit: 4096,
  logLevel: 'info' as LogLevel,
  /** Lifetime of a TURN credential made from `--turn-secret`, seconds (a day, as coturn's docs suggest). */
  turnCredentialTtlSeconds: 86_400,
  /** Longest `--turn-credential-ttl` accepted (a week). */
  turnCredentialTtlLimitSeconds: 7 * 86_400,
  /** How often the `--tls-cert`/`--tls-key` files are checked for a renewed certificate, ms. */
  tlsWatchIntervalMs: 2_000,
  /** How long a graceful stop may take before the process exits anyway, ms. */
  stopTimeoutMs: 10_000
} as const

/**
 * A relay listens for WebSocket connections on localhost. A peer listens like a browser tab (core's
 * member default): WebRTC only, reachable through the relays it reserves on, which core's relay
 * reservations service adds as `/p2p/<relay>/p2p-circuit` listeners by itself.
 */
export function defaultListenFor (role: RelayRole): string[] {
  return role === 'relay' ? ['/ip4/127.0.0.1/tcp/4001/ws'] : ['/webrtc']
}

/** The peer manager preset core uses for this role. */
export function peerManagerPresetFor (role: RelayRole): Readonly<PeerManagerOptions> {
  return role === 'relay' ? relayPeerManagerOptions : defaultPeerManagerOptions
}

/** `--max-connections` when not given: the role's peer manager preset (relay 200, peer 64). */
export function defaultMaxConnectionsFor (role: RelayRole): number {
  return peerManagerPresetFor(role).maxConnected
}

/**
 * The peer manager options for `--max-connections`: the role's preset with `maxConnected`
 * changed, built by core's `createPeerManagerOptions`, which derives the limits that must stay
 * consistent with it (outbound cap, minimum degree, address book size).
 */
export function peerManagerLimitsFor (role: RelayRole, maxConnected: number): PeerManagerOptions {
  return createPeerManagerOptions({ maxConnected }, peerManagerPresetFor(role))
}

/** Files inside `--data-dir`. */
export const DATA_DIR_LAYOUT = {
  identityKey: 'identity.key',
  /** The WebRTC-Direct certificate and key (PEM, mode 0600): its hash is in the relay's webrtc-direct address. */
  webRtcDirectCertificate: 'webrtc-direct.pem',
  peerStore: 'peers'
} as const
