/**
 * Options of {@link createLibp2pNode} and the services every node carries.
 * Defaults live in `constants.ts` (browser overrides in `create-libp2p.browser.ts`).
 */
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import type { Identify, IdentifyPush } from '@libp2p/identify'
import type { ConnectionGater, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Libp2pOptions, ServiceFactoryMap } from 'libp2p'
import type { Logger } from '../logger.js'
import type { TlsCertificates, WebSocketTlsInit } from './tls.js'

/**
 * What a node is for:
 * - `relay`: a Node process listening on WebSockets, running a circuit relay server that
 *   browsers and Node members reserve a slot on (and signal WebRTC through).
 * - `node`: a plain Node member; listens like a browser (`/p2p-circuit`, `/webrtc`).
 * - `browser`: a tab; cannot listen on sockets, reachable only through a relay.
 */
export type Libp2pNodeRole = 'relay' | 'node' | 'browser'

/**
 * Services on every node, keyed by their `node.services` name. `relay` exists only on
 * `role: 'relay'` nodes.
 */
export type Libp2pNodeServices = {
  identify: Identify
  identifyPush: IdentifyPush
  ping: Ping
  pubsub: GossipSub
  relay?: CircuitRelayService
  /** Present when the node was created with `webSocketTls`. */
  tls?: TlsCertificates
}

/**
 * ICE servers, or a function that gives them (asked before each new peer connection, e.g. for
 * fresh TURN credentials).
 */
export type IceServersSource = RTCIceServer[] | (() => RTCIceServer[] | Promise<RTCIceServer[]>)

/** A WebRTC-Direct listener's certificate, as `webRTCDirect({ certificate })` takes it. */
export interface WebRtcDirectCertificateInit {
  /** PKCS#8 PEM private key (ECDSA P-256). */
  privateKey: string
  /** PEM certificate. */
  pem: string
  /** Multibase (base64url) sha2-256 multihash of the certificate's DER. */
  certhash: string
}

/** Circuit relay server limits (role `relay` only). */
export interface RelayServerInit {
  /**
   * Reservations (browsers/members reachable through this relay) held at once.
   *
   * @default 128
   */
  maxReservations?: number
  /**
   * How long a reservation lasts before the client must refresh it, in ms.
   *
   * @default 7_200_000 (2 hours)
   */
  reservationTtlMs?: number
  /**
   * Apply the duration/data limits below to every relayed connection. Relayed connections only
   * carry WebRTC signalling before the peers move to a direct connection, so the limits stay on
   * by default; a relayed connection is "limited" and protocols such as gossipsub do not run on it.
   * Set false only for a trusted deployment that must carry application traffic through the relay.
   *
   * @default true
   */
  applyDefaultLimit?: boolean
  /**
   * Longest life of a relayed connection, in ms (when `applyDefaultLimit`).
   *
   * @default 120_000
   */
  defaultDurationLimitMs?: number
  /**
   * Most bytes carried in each direction by a relayed connection (when `applyDefaultLimit`).
   *
   * @default 131_072 (128 KiB)
   */
  defaultDataLimitBytes?: number
  /**
   * Hop streams (clients asking this relay to reserve or connect) open at once.
   *
   * @default 64
   */
  maxInboundHopStreams?: number
}

/** Options of {@link createLibp2pNode}. */
export interface Libp2pNodeInit<S extends ServiceMap = Record<never, never>> {
  /** The node's identity (Ed25519 recommended). Its PeerId is the node ID. */
  privateKey: PrivateKey
  /**
   * What the node is for; sets the default listen addresses and services.
   * `relay` is refused in browsers.
   *
   * @default 'node' in Node.js, 'browser' in browsers
   */
  role?: Libp2pNodeRole
  /**
   * Multiaddrs to listen on; replaces the role's defaults when given.
   * With `memory: true`, `/memory/<peerId>` is added to whatever this resolves to.
   *
   * @default relay: ['/ip4/127.0.0.1/tcp/0/ws']; node and browser: ['/p2p-circuit', '/webrtc']
   */
  listen?: string[]
  /**
   * Multiaddrs to announce instead of the listen addresses (e.g. a relay behind a proxy).
   *
   * @default [] (announce what we listen on)
   */
  announce?: string[]
  /**
   * ICE servers for WebRTC. None by default: host candidates only, which is what a single
   * machine or a LAN needs. Never point this at a public STUN/TURN server in tests.
   *
   * A function is asked again before every new peer connection, so that time-limited TURN
   * credentials (coturn's `use-auth-secret`) can be fresh for each; when it throws or returns
   * something other than an array, that peer connection uses host candidates only.
   *
   * @default []
   */
  iceServers?: IceServersSource
  /**
   * A certificate and key (PEM) for WebSocket listeners: `/tls/ws` (or `/wss`) listen addresses
   * serve `wss://` with it. Renew it with `node.services.tls.renew()`. Node.js only.
   *
   * @default undefined (no TLS: `/tls/ws` listen addresses fail)
   */
  webSocketTls?: WebSocketTlsInit
  /**
   * The certificate of `/udp/<port>/webrtc-direct` listen addresses (@libp2p/webrtc's
   * `TransportCertificate`: an ECDSA P-256 key and self-signed certificate as PEM, and its
   * certhash). Kept by the caller so that the certhash, and so the address, survives restarts.
   * Every node can dial webrtc-direct addresses whether or not it listens on one.
   *
   * @default in Node.js, one certificate made per process and shared by the nodes given none
   *   (a new certhash at every start); browsers cannot listen
   */
  webRtcDirectCertificate?: WebRtcDirectCertificateInit
  /**
   * Which ICE candidates WebRTC may use: `relay` uses TURN-relayed candidates only (every direct
   * path is refused), as `RTCConfiguration.iceTransportPolicy`.
   *
   * @default 'all'
   */
  iceTransportPolicy?: RTCIceTransportPolicy
  /**
   * Allow dialling insecure `ws://` addresses (also as the first hop of a circuit address).
   * libp2p's browser connection gater refuses them; we relax exactly that rule, nothing else.
   * Production deployments behind TLS should set this to false.
   *
   * @default true (local development runs relays on ws://127.0.0.1)
   */
  allowInsecureWebSockets?: boolean
  /**
   * Allow dialling private addresses (loopback incl. 127.0.0.1, RFC 1918, link-local, ULA), also as
   * the first hop of a circuit address. libp2p's browser connection gater refuses them; we relax
   * exactly that rule. Public deployments should set this to false.
   *
   * @default true (local development)
   */
  allowPrivateAddresses?: boolean
  /**
   * Add the in-process memory transport and listen on `/memory/<peerId>` (tests).
   *
   * @default false
   */
  memory?: boolean
  /**
   * Circuit relay server limits; used only when `role` is `relay`.
   *
   * @default see {@link RelayServerInit}
   */
  relayServer?: RelayServerInit
  /**
   * libp2p's connection manager cap (its pruner closes connections above it). Must stay above
   * the PeerManager's `maxConnected` + upgrade slots + relay links so libp2p never prunes a
   * connection the PeerManager chose to keep.
   *
   * @default 300 in Node.js, 100 in browsers
   */
  maxConnections?: number
  /**
   * Dials running at once across all peers (libp2p `maxParallelDials`). On 2 cores many
   * simultaneous WebRTC dials time out, so browsers dial few at a time.
   *
   * @default 8 in Node.js, 4 in browsers
   */
  dialConcurrency?: number
  /**
   * libp2p's connection monitor (pings every connection, aborts it on the first failed ping).
   * A peermesh node turns it off: its router's heartbeat is the only one and tolerates a stall.
   *
   * @default true
   */
  connectionMonitor?: boolean
  /**
   * Extra connection gater hooks (e.g. bans: `denyDialPeer`, `denyInboundConnection`).
   * A `denyDialMultiaddr` given here runs after the address policy above; a dial is denied when
   * either denies.
   *
   * @default {}
   */
  connectionGater?: ConnectionGater
  /**
   * Extra gossipsub options, merged over ours (see `GOSSIPSUB_DEFAULTS`).
   *
   * @default {}
   */
  gossipsub?: Partial<GossipsubOpts>
  /**
   * Extra services, merged into identify/identifyPush/ping/pubsub(/relay). A name that clashes with
   * one of ours is refused.
   *
   * @default {}
   */
  services?: ServiceFactoryMap<S>
  /**
   * Our {@link Logger}, handed to libp2p as its component logger (`libp2p/component-logger.ts`):
   * peermesh's own services (peer exchange, relay reservations) log wholly through it, with their
   * component name as a field; libp2p's own components only their errors, at `debug`. Without it,
   * libp2p keeps its own logger (`DEBUG=libp2p:*`) for every component.
   *
   * @default undefined (libp2p's own logger)
   */
  logger?: Logger
  /**
   * A libp2p Metrics factory (e.g. `@libp2p/simple-metrics`).
   *
   * @default undefined (no metrics)
   */
  metrics?: Libp2pOptions['metrics']
  /**
   * Where libp2p keeps its peer store.
   *
   * @default an in-memory datastore
   */
  datastore?: Libp2pOptions['datastore']
  /**
   * Start the node before returning it.
   *
   * @default false
   */
  start?: boolean
}
