/**
 * peermesh's metrics, registered on libp2p's `Metrics` interface so that any libp2p metrics
 * implementation exposes them (in Node, `@libp2p/prometheus-metrics` → `/metrics`). All of them
 * are calculated on scrape from the components' own counters: nothing to keep in sync.
 *
 * Counters: libp2p's metrics bridges *add* what a counter's `calculate` returns on each read
 * (`@libp2p/prometheus-metrics` calls prom-client's `inc(value)` in its collect hook, and libp2p's
 * own `libp2p_data_transfer_bytes_total` returns the bytes since the last read). Our components
 * keep running totals, so every counter here goes through {@link increaseSinceLastRead} /
 * {@link increasesSinceLastRead}, which turn a running total into the increase since the previous
 * read. Gauges (`registerMetric`, `registerMetricGroup`) are set, so they take the value itself.
 *
 * | metric | kind | labels |
 * |---|---|---|
 * | peermesh_peers | gauge group | state: connected, dialing, backoff, banned, known, inactive |
 * | peermesh_connections | gauge group | transport: webrtc, websocket, circuit, tcp, memory, webrtc-direct |
 * | peermesh_dials_total | counter group | outcome: started, succeeded, failed, timed_out |
 * | peermesh_inbound_total | counter group | outcome: accepted, rejected |
 * | peermesh_evictions_total, peermesh_bans_total, peermesh_duplicate_connections_closed_total | counter | |
 * | peermesh_heartbeat_failures_total, peermesh_dead_peers_total | counter | |
 * | peermesh_pex_total | counter group | event: requests_sent, requests_received, responses_received, responses_sent, requests_refused, penalties |
 * | peermesh_pex_addresses_total | counter group | outcome: added, rejected, invalid, sent, over_source_share (dropped: its source held its share of the book; also in rejected) |
 * | peermesh_queue_drops_total | counter group | queue: peer_updates, session_outbox |
 * | peermesh_sessions_total | counter group | event: opened, received, invalid, goodbyes_sent, goodbyes_received |
 * | peermesh_topology_nodes, peermesh_topology_edges | gauge | |
 * | peermesh_broadcast_total | counter group | event: sent, received, rejected, duplicate |
 * | peermesh_store_total | counter group | event: writes, errors, skipped_records |
 * | peermesh_relay_reservations | gauge | |
 * | peermesh_relay_reservations_total | counter group | event: attempts, failures, lost, renewals |
 */
import type { Metrics } from '@libp2p/interface'
import type { PeerManager } from '../peer-manager/index.js'
import type { PeerExchange } from '../pex/index.js'
import type { MeshRouter } from '../router/router.js'
import type { MeshTopology } from '../topology/mesh-topology.js'
import type { BroadcastChannel } from '../broadcast/broadcast-channel.js'
import type { RelayReservations } from '../relay-reservations/index.js'
import type { MeshSessions } from '../session/mesh-sessions.js'

export interface MeshMetricsSources {
  peerManager: PeerManager
  router: MeshRouter
  pex: PeerExchange
  topology: MeshTopology
  broadcast: BroadcastChannel
  sessions: MeshSessions
}

export function registerMeshMetrics (metrics: Metrics, s: MeshMetricsSources): void {
  metrics.registerMetricGroup('peermesh_peers', {
    help: 'Known peers by PeerManager state',
    label: 'state',
    calculate: () => ({ ...s.peerManager.stats().byState })
  })
  metrics.registerMetricGroup('peermesh_connections', {
    help: 'Connected neighbours by transport',
    label: 'transport',
    calculate: () => {
      const out: Record<string, number> = { webrtc: 0, websocket: 0, circuit: 0, tcp: 0, memory: 0, 'webrtc-direct': 0 }
      for (const link of s.router.neighbours()) out[link.transport] = (out[link.transport] ?? 0) + 1
      return out
    }
  })
  metrics.registerCounterGroup('peermesh_dials_total', {
    help: 'Dials by outcome',
    label: 'outcome',
    calculate: increasesSinceLastRead(() => {
      const r = s.router.stats
      return { started: r.dialsStarted, succeeded: r.dialsSucceeded, failed: r.dialsFailed, timed_out: r.dialsTimedOut }
    })
  })
  metrics.registerCounterGroup('peermesh_inbound_total', {
    help: 'Inbound (or libp2p-initiated) connections by outcome',
    label: 'outcome',
    calculate: increasesSinceLastRead(() => ({ accepted: s.router.stats.inboundAccepted, rejected: s.router.stats.inboundRejected }))
  })
  metrics.registerCounter('peermesh_evictions_total', { help: 'Peers evicted', calculate: increaseSinceLastRead(() => s.router.stats.evictions) })
  metrics.registerCounter('peermesh_bans_total', { help: 'Bans issued', calculate: increaseSinceLastRead(() => s.peerManager.stats().bansIssued) })
  metrics.registerCounter('peermesh_duplicate_connections_closed_total', { help: 'Second connections to a peer closed (one connection per pair)', calculate: increaseSinceLastRead(() => s.router.stats.duplicateConnectionsClosed) })
  metrics.registerCounter('peermesh_heartbeat_failures_total', { help: 'Heartbeats (pings) that failed or timed out', calculate: increaseSinceLastRead(() => s.router.stats.heartbeatFailures) })
  metrics.registerCounter('peermesh_dead_peers_total', { help: 'Peers dropped after missing heartbeats', calculate: increaseSinceLastRead(() => s.router.stats.deadPeers) })
  metrics.registerCounterGroup('peermesh_pex_total', {
    help: 'Peer exchange events',
    label: 'event',
    calculate: increasesSinceLastRead(() => {
      const p = s.pex.stats()
      return {
        requests_sent: p.requestsSent,
        requests_failed: p.requestsFailed,
        requests_received: p.requestsReceived,
        requests_refused: p.requestsRefused,
        responses_received: p.responsesReceived,
        responses_sent: p.responsesSent,
        penalties: p.penalties
      }
    })
  })
  metrics.registerCounterGroup('peermesh_pex_addresses_total', {
    help: 'Addresses through peer exchange by outcome',
    label: 'outcome',
    calculate: increasesSinceLastRead(() => {
      const p = s.pex.stats()
      return { added: p.addressesAdded, rejected: p.addressesRejected, invalid: p.addressesInvalid, sent: p.addressesSent, over_source_share: p.addressesOverSourceShare }
    })
  })
  metrics.registerCounterGroup('peermesh_queue_drops_total', {
    help: 'Messages dropped from full bounded queues',
    label: 'queue',
    calculate: increasesSinceLastRead(() => ({ peer_updates: s.peerManager.stats().updatesDropped, session_outbox: s.sessions.drops }))
  })
  metrics.registerCounterGroup('peermesh_sessions_total', {
    help: 'Session protocol events',
    label: 'event',
    calculate: increasesSinceLastRead(() => {
      const x = s.sessions.stats
      return { opened: x.opened, received: x.received, invalid: x.invalid, goodbyes_sent: x.goodbyesSent, goodbyes_received: x.goodbyesReceived }
    })
  })
  metrics.registerMetric('peermesh_topology_nodes', { help: 'Nodes in the mesh graph as this node sees it', calculate: () => s.topology.graph().nodes.length })
  metrics.registerMetric('peermesh_topology_edges', { help: 'Edges in the mesh graph as this node sees it', calculate: () => s.topology.graph().edges.length })
  metrics.registerCounterGroup('peermesh_broadcast_total', {
    help: 'Broadcast messages',
    label: 'event',
    calculate: increasesSinceLastRead(() => ({ ...s.broadcast.stats }))
  })
  metrics.registerCounterGroup('peermesh_store_total', {
    help: 'Peer store activity',
    label: 'event',
    calculate: increasesSinceLastRead(() => {
      const m = s.peerManager.stats()
      return { writes: m.storeWrites, errors: m.storeErrors, skipped_records: m.recordsSkipped }
    })
  })
}

/** The relay reservations of a member (a relay holds none: its gauge stays 0). */
export function registerRelayReservationMetrics (metrics: Metrics, relayReservations: RelayReservations): void {
  metrics.registerMetric('peermesh_relay_reservations', {
    help: 'Relay reservations held (each one a relayed WebRTC address)',
    calculate: () => relayReservations.stats().reservations
  })
  metrics.registerCounterGroup('peermesh_relay_reservations_total', {
    help: 'Relay reservation events',
    label: 'event',
    calculate: increasesSinceLastRead(() => {
      const r = relayReservations.stats()
      return { attempts: r.attempts, failures: r.failures, lost: r.lost, renewals: r.renewals }
    })
  })
}

/**
 * A counter's `calculate` for libp2p's metrics: reads a running total and returns how much it grew
 * since the previous read (the first read returns the whole total). A total that went down (a
 * component replaced, its count restarted) adds nothing and becomes the new baseline, so the
 * exported counter never decreases.
 */
export function increaseSinceLastRead (readTotal: () => number): () => number {
  let last = 0
  return () => {
    const total = readTotal()
    const increase = total >= last ? total - last : 0
    last = total
    return increase
  }
}

/** {@link increaseSinceLastRead} for a counter group: one running total per label value. */
export function increasesSinceLastRead (readTotals: () => Record<string, number>): () => Record<string, number> {
  const last = new Map<string, number>()
  return () => {
    const increases: Record<string, number> = {}
    for (const [key, total] of Object.entries(readTotals())) {
      const previous = last.get(key) ?? 0
      increases[key] = total >= previous ? total - previous : 0
      last.set(key, total)
    }
    return increases
  }
}
