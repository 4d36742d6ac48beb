/**
 * Defaults of {@link Libp2pNodeInit}, in one place. The browser runtime overrides a few of them
 * in `create-libp2p.browser.ts` (`BROWSER_DEFAULT_OVERRIDES`); every other value is shared.
 */
import type { Libp2pNodeRole } from './init.js'

/** Multiaddrs a WebRTC member (browser tab or plain Node member) listens on. */
export const WEBRTC_MEMBER_LISTEN: readonly string[] = Object.freeze(['/p2p-circuit', '/webrtc'])

/** Where a Node relay listens by default: loopback, a free port chosen by the OS. */
export const RELAY_WEBSOCKET_LISTEN: readonly string[] = Object.freeze(['/ip4/127.0.0.1/tcp/0/ws'])

/** Numeric and boolean defaults shared by both runtimes (Node values). */
export const LIBP2P_NODE_DEFAULTS = Object.freeze({
  /** Node entry points default to a plain member. */
  role: 'node' as Libp2pNodeRole,
  /** No STUN/TURN: ICE uses host candidates only. Never a public server. */
  iceServers: Object.freeze([]) as readonly RTCIceServer[],
  /** Every candidate type (host, server-reflexive, relayed). */
  iceTransportPolicy: 'all' as RTCIceTransportPolicy,
  /** Local development dials `ws://127.0.0.1:…` relays. */
  allowInsecureWebSockets: true,
  /** Local development dials loopback/LAN addresses. */
  allowPrivateAddresses: true,
  memory: false,
  /**
   * libp2p's own cap (its pruner closes connections above it). Kept well above any PeerManager
   * `maxConnected` + `maxConnectedUpgrade` + relay links, so that libp2p never prunes a
   * connection our PeerManager wants: our PeerManager is the one that decides.
   */
  maxConnections: 300,
  /** libp2p `maxParallelDials`: dials running at once across all peers. */
  dialConcurrency: 8
})

/** Browser overrides are in `create-libp2p.browser.ts`; these are their values, for docs/tests. */
export const BROWSER_DEFAULTS = Object.freeze({
  role: 'browser' as Libp2pNodeRole,
  /** A tab holds fewer connections than a Node process; still above the PeerManager's cap. */
  maxConnections: 100,
  /** 2-core machines: 16 tabs dialling all at once failed half their WebRTC dials; 4 at a time worked. */
  dialConcurrency: 4
})

/** Defaults of {@link RelayServerInit}. */
export const RELAY_SERVER_DEFAULTS = Object.freeze({
  /** libp2p's default is 15; a demo relay serves a few dozen tabs. */
  maxReservations: 128,
  /** libp2p's default: 2 hours. */
  reservationTtlMs: 2 * 60 * 60 * 1000,
  /**
   * Relayed connections only carry WebRTC signalling (SDP + ICE candidates, a few KiB) before the
   * peers switch to a direct WebRTC connection, so the default limits stay on.
   */
  applyDefaultLimit: true,
  /** libp2p's default: a relayed connection lasts at most 2 minutes… */
  defaultDurationLimitMs: 2 * 60 * 1000,
  /** …and carries at most 128 KiB each way. */
  defaultDataLimitBytes: 128 * 1024,
  /** Concurrent hop (relay-this-for-me) streams accepted from clients. */
  maxInboundHopStreams: 64
})

/** Defaults of the gossipsub service, tuned for meshes of a handful to a few dozen peers. */
export const GOSSIPSUB_DEFAULTS = Object.freeze({
  /** Target mesh degree (gossipsub default 6); small meshes have few peers per topic. */
  D: 4,
  Dlo: 2,
  Dhi: 8,
  /** Must be < Dlo and ≤ D/2. */
  Dout: 1,
  heartbeatIntervalMs: 1000,
  /** Publish to every subscribed peer we know, not only mesh members: reaches peers before the mesh forms. */
  floodPublish: true,
  /** Publishing with nobody subscribed yet is not an error: the router decides what that means. */
  allowPublishToZeroTopicPeers: true,
  emitSelf: false,
  /** Largest message payload accepted from the network (bytes). */
  maxInboundDataLengthBytes: 64 * 1024
})
