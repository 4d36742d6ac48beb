/**
 * What both runtimes share: validating a {@link Libp2pNodeInit} and turning it into libp2p
 * options. `create-libp2p.node.ts` and `create-libp2p.browser.ts` only add their runtime's
 * defaults and listen addresses.
 */
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createComponentLogger } from './component-logger.js'
import { createConnectionGater } from './connection-gater.js'
import { tlsCertificates } from './tls.js'
import { GOSSIPSUB_DEFAULTS, LIBP2P_NODE_DEFAULTS, RELAY_SERVER_DEFAULTS } from './constants.js'
import { InvalidLibp2pNodeInitError } from './errors.js'
import type { IceServersSource, Libp2pNodeInit, Libp2pNodeRole, Libp2pNodeServices, WebRtcDirectCertificateInit } from './init.js'
import type { Libp2p, ServiceMap } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/** What a runtime contributes: its defaults and the addresses each role listens on. */
export interface Libp2pRuntime {
  name: 'node' | 'browser'
  defaults: {
    role: Libp2pNodeRole
    maxConnections: number
    dialConcurrency: number
  }
  /** Listen addresses of `role` when `listen` is not given; throws for a role this runtime cannot host. */
  defaultListen: (role: Libp2pNodeRole) => readonly string[]
  /** Rewrites each ICE server for this runtime's WebRTC implementation. @default as given */
  adaptIceServer?: (server: RTCIceServer) => RTCIceServer
  /** The WebRTC-Direct certificate of a node given none. @default none (@libp2p/webrtc's own) */
  defaultWebRtcDirectCertificate?: () => Promise<WebRtcDirectCertificateInit>
}

const ROLES: readonly Libp2pNodeRole[] = ['relay', 'node', 'browser']
const OUR_SERVICES: ReadonlySet<string> = new Set(['identify', 'identifyPush', 'ping', 'pubsub', 'relay', 'tls'])

function requirePositiveInteger (option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidLibp2pNodeInitError(option, `expected a positive integer, got ${String(value)}`)
  }
  return value
}

function requireMultiaddrs (option: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidLibp2pNodeInitError(option, 'expected an array of multiaddr strings')
  }
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string') {
      throw new InvalidLibp2pNodeInitError(`${option}[${index}]`, 'expected a multiaddr string')
    }
    try {
      return multiaddr(entry).toString()
    } catch (err) {
      throw new InvalidLibp2pNodeInitError(`${option}[${index}]`, `not a valid multiaddr: ${JSON.stringify(entry)}`, { cause: err })
    }
  })
}

/** Validate `init` and build the libp2p options for `runtime`. Throws {@link InvalidLibp2pNodeInitError}. */
export function buildLibp2pOptions<S extends ServiceMap> (
  init: Libp2pNodeInit<S>,
  runtime: Libp2pRuntime
): Libp2pOptions<Libp2pNodeServices & S> {
  if (init == null || typeof init !== 'object') {
    throw new InvalidLibp2pNodeInitError('init', 'expected an options object')
  }
  if (init.privateKey == null || init.privateKey.publicKey == null) {
    throw new InvalidLibp2pNodeInitError('privateKey', 'a libp2p PrivateKey is required (e.g. generateKeyPair(\'Ed25519\'))')
  }
  const role = init.role ?? runtime.defaults.role
  if (!ROLES.includes(role)) {
    throw new InvalidLibp2pNodeInitError('role', `expected one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`)
  }
  const iceServers = init.iceServers ?? [...LIBP2P_NODE_DEFAULTS.iceServers]
  if (!Array.isArray(iceServers) && typeof iceServers !== 'function') {
    throw new InvalidLibp2pNodeInitError('iceServers', 'expected an array of RTCIceServer or a function returning one')
  }
  const iceTransportPolicy = init.iceTransportPolicy ?? LIBP2P_NODE_DEFAULTS.iceTransportPolicy
  if (iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay') {
    throw new InvalidLibp2pNodeInitError('iceTransportPolicy', `expected 'all' or 'relay', got ${JSON.stringify(iceTransportPolicy)}`)
  }
  const maxConnections = requirePositiveInteger('maxConnections', init.maxConnections ?? runtime.defaults.maxConnections)
  const dialConcurrency = requirePositiveInteger('dialConcurrency', init.dialConcurrency ?? runtime.defaults.dialConcurrency)
  const useMemory = init.memory ?? LIBP2P_NODE_DEFAULTS.memory

  const peerId = peerIdFromPrivateKey(init.privateKey)
  const listen = requireMultiaddrs('listen', init.listen ?? [...runtime.defaultListen(role)])
  if (useMemory) listen.push(`/memory/${peerId.toString()}`)
  const announce = requireMultiaddrs('announce', init.announce ?? [])

  const logger = init.logger
  if (logger != null && (['debug', 'info', 'warn', 'error'] as const).some(level => typeof logger[level] !== 'function')) {
    throw new InvalidLibp2pNodeInitError('logger', 'expected a Logger with debug, info, warn and error methods')
  }

  const extraServices = init.services ?? ({} as NonNullable<typeof init.services>)
  for (const name of Object.keys(extraServices)) {
    if (OUR_SERVICES.has(name)) {
      throw new InvalidLibp2pNodeInitError(`services.${name}`, 'clashes with a built-in service name')
    }
  }

  const services: Record<string, unknown> = {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping(),
    pubsub: gossipsub({
      D: GOSSIPSUB_DEFAULTS.D,
      Dlo: GOSSIPSUB_DEFAULTS.Dlo,
      Dhi: GOSSIPSUB_DEFAULTS.Dhi,
      Dout: GOSSIPSUB_DEFAULTS.Dout,
      heartbeatInterval: GOSSIPSUB_DEFAULTS.heartbeatIntervalMs,
      floodPublish: GOSSIPSUB_DEFAULTS.floodPublish,
      allowPublishToZeroTopicPeers: GOSSIPSUB_DEFAULTS.allowPublishToZeroTopicPeers,
      emitSelf: GOSSIPSUB_DEFAULTS.emitSelf,
      maxInboundDataLength: GOSSIPSUB_DEFAULTS.maxInboundDataLengthBytes,
      ...init.gossipsub
    })
  }
  if (role === 'relay') {
    const relay = { ...RELAY_SERVER_DEFAULTS, ...init.relayServer }
    services.relay = circuitRelayServer({
      maxInboundHopStreams: requirePositiveInteger('relayServer.maxInboundHopStreams', relay.maxInboundHopStreams),
      reservations: {
        maxReservations: requirePositiveInteger('relayServer.maxReservations', relay.maxReservations),
        reservationTtl: requirePositiveInteger('relayServer.reservationTtlMs', relay.reservationTtlMs),
        applyDefaultLimit: relay.applyDefaultLimit,
        defaultDurationLimit: requirePositiveInteger('relayServer.defaultDurationLimitMs', relay.defaultDurationLimitMs),
        defaultDataLimit: BigInt(requirePositiveInteger('relayServer.defaultDataLimitBytes', relay.defaultDataLimitBytes))
      }
    })
  }
  const webSocketTls = init.webSocketTls
  if (webSocketTls != null) {
    if (typeof webSocketTls.cert !== 'string' || typeof webSocketTls.key !== 'string' || webSocketTls.cert === '' || webSocketTls.key === '') {
      throw new InvalidLibp2pNodeInitError('webSocketTls', 'expected { cert, key } as PEM strings')
    }
    services.tls = tlsCertificates()
  }
  Object.assign(services, extraServices)

  return {
    privateKey: init.privateKey,
    addresses: { listen, announce },
    transports: [
      webSockets(webSocketTls == null ? {} : { https: { cert: webSocketTls.cert, key: webSocketTls.key } }),
      webRTC({ rtcConfiguration: rtcConfigurationFor(iceServers, iceTransportPolicy, runtime.adaptIceServer) }),
      webRTCDirect({
        rtcConfiguration: rtcConfigurationFor(iceServers, iceTransportPolicy, runtime.adaptIceServer),
        ...(init.webRtcDirectCertificate != null ? { certificate: { ...init.webRtcDirectCertificate } } : {})
      }),
      circuitRelayTransport(),
      ...(useMemory ? [memory()] : [])
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: createConnectionGater({
      allowInsecureWebSockets: init.allowInsecureWebSockets ?? LIBP2P_NODE_DEFAULTS.allowInsecureWebSockets,
      allowPrivateAddresses: init.allowPrivateAddresses ?? LIBP2P_NODE_DEFAULTS.allowPrivateAddresses
    }, init.connectionGater),
    connectionMonitor: { enabled: init.connectionMonitor ?? true },
    connectionManager: {
      maxConnections,
      maxParallelDials: dialConcurrency
    },
    services: services as Libp2pOptions<Libp2pNodeServices & S>['services'],
    ...(logger != null ? { logger: createComponentLogger(logger) } : {}),
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
    ...(init.datastore != null ? { datastore: init.datastore } : {})
  }
}

/**
 * The `rtcConfiguration` given to @libp2p/webrtc: a function, so that it is asked before every new
 * peer connection (and a function `iceServers` with it). It always sets `iceServers`: left
 * undefined, @libp2p/webrtc would fill in its default public STUN servers.
 */
export function rtcConfigurationFor (
  iceServers: IceServersSource,
  iceTransportPolicy: RTCIceTransportPolicy,
  adaptIceServer: (server: RTCIceServer) => RTCIceServer = server => server
): () => Promise<RTCConfiguration> {
  return async () => {
    let servers: unknown = iceServers
    if (typeof iceServers === 'function') {
      try {
        servers = await iceServers()
      } catch {
        servers = []
      }
    }
    return { iceServers: Array.isArray(servers) ? (servers as RTCIceServer[]).map(adaptIceServer) : [], iceTransportPolicy }
  }
}

/** Build and create the node (started only when `init.start` is true). */
export async function createLibp2pNodeFor<S extends ServiceMap> (
  init: Libp2pNodeInit<S>,
  runtime: Libp2pRuntime
): Promise<Libp2p<Libp2pNodeServices & S>> {
  const webRtcDirectCertificate = init.webRtcDirectCertificate ?? await runtime.defaultWebRtcDirectCertificate?.()
  const options = buildLibp2pOptions(webRtcDirectCertificate == null ? init : { ...init, webRtcDirectCertificate }, runtime)
  return await createLibp2p<Libp2pNodeServices & S>({ ...options, start: init.start ?? false })
}
