/**
 * Starting and stopping one relay (or peer): the data directory, the peermesh node, metrics and
 * the HTTP server, wired together. `bin.ts` adds the process concerns (argv, signals, exit codes).
 */
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { createPeerMeshNode, createPersistentPeerStore, loadOrCreatePrivateKey, parseNodeAddress, type PeerMeshNode, type TlsCertificates } from '@peermesh/core'
import { Gauge, Registry } from 'prom-client'
import { DATA_DIR_LAYOUT, DEFAULTS, peerManagerLimitsFor } from './defaults.js'
import { loadTlsCertificate, watchTlsFiles, type TlsCertificatePair } from './tls/certificate-files.js'
import { loadOrCreateWebRtcDirectCertificate } from './webrtc-direct/certificate.js'
import { createRelayHttpServer, type BootstrapInfo, type HealthStatus, type RelayHttpApi, type RelayHttpServer } from './http/server.js'
import type { Logger } from './logger.js'
import { iceServersWithCredentials } from './ice/turn-credentials.js'
import type { IceServer, RelayOptions } from './options.js'

/** The line printed to stdout once the relay is up. */
export interface ReadyEvent {
  event: 'ready'
  peerId: string
  /** Our own dialable addresses as NodeAddress URLs. */
  addresses: string[]
  /** The same, as the multiaddrs libp2p listens on or announces. */
  multiaddrs: string[]
  /** Base URL of the HTTP server, or `null` with `--http off`. */
  http: string | null
}

export interface StartRelayInit {
  options: RelayOptions
  logger: Logger
  version: string
  /** Relative paths (`--data-dir`, `--serve-demo=<dir>`) are resolved against it. */
  cwd: string
}

export interface RunningRelay {
  readonly ready: ReadyEvent
  readonly node: PeerMeshNode
  /**
   * Reads the `--tls-cert`/`--tls-key` files again and serves them to new HTTPS and `wss://`
   * connections (SIGHUP, or the files changed). A pair that does not load is logged and the
   * current one kept; resolves either way. Does nothing without TLS.
   */
  reloadTls(): Promise<void>
  /** Stops HTTP and the node (connections closed, peer store flushed). Idempotent. */
  stop(): Promise<void>
}

/** NodeAddress protocols a browser can dial directly, in the order a page should try them. */
const BROWSER_DIALABLE = ['wss', 'ws', 'webrtc-direct']

/**
 * Starts everything and resolves once the node is listening and the HTTP server is bound.
 * On a failure part-way, whatever was started is stopped again before the error is thrown.
 */
export async function startRelay (init: StartRelayInit): Promise<RunningRelay> {
  const { options, logger, version } = init
  const dataDir = resolve(init.cwd, options.dataDir)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })

  const tlsFiles = options.tls == null ? undefined : { certPath: resolve(init.cwd, options.tls.certPath), keyPath: resolve(init.cwd, options.tls.keyPath) }
  let tls = tlsFiles == null ? undefined : await loadTlsCertificate(tlsFiles)
  if (tls != null) logger.info('tls certificate loaded', tlsSummary(tls))
  const listen = withWebRtcDirectListen(tls == null ? options.listen : options.listen.map(secureWebSocketListen), options.webRtcDirectPort)
  const webRtcDirect = listen.some(address => address.includes('/webrtc-direct'))
    ? await loadOrCreateWebRtcDirectCertificate(join(dataDir, DATA_DIR_LAYOUT.webRtcDirectCertificate), logger)
    : undefined
  if (webRtcDirect != null) logger.info(webRtcDirect.created ? 'webrtc-direct certificate created' : 'webrtc-direct certificate loaded', { certhash: webRtcDirect.certificate.certhash })

  const { privateKey } = await loadOrCreatePrivateKey({ location: join(dataDir, DATA_DIR_LAYOUT.identityKey), logger })
  const peerStore = await createPersistentPeerStore({ location: join(dataDir, DATA_DIR_LAYOUT.peerStore), logger })
  const registry = new Registry()
  const turn = options.turnSecret == null ? undefined : { secret: options.turnSecret, ttlSeconds: options.turnCredentialTtlSeconds }
  /** The configured ICE servers with TURN credentials fresh as of now (asked for each peer connection and each page). */
  const iceServersNow = (): IceServer[] => iceServersWithCredentials(options.iceServers, turn, Date.now())

  let node: PeerMeshNode
  try {
    node = await createPeerMeshNode({
      role: options.role === 'relay' ? 'relay' : 'node',
      privateKey,
      peerStore,
      bootstrap: options.bootstrap,
      listen,
      announce: options.announce,
      iceServers: iceServersNow,
      ...(tls != null ? { webSocketTls: { cert: tls.cert, key: tls.key } } : {}),
      ...(webRtcDirect != null ? { webRtcDirectCertificate: webRtcDirect.certificate } : {}),
      peerManager: peerManagerLimitsFor(options.role, options.maxConnections),
      maxReservations: options.maxReservations,
      metrics: prometheusMetrics({ registry, statfsLocation: dataDir }),
      logger
    })
  } catch (err) {
    await peerStore.close().catch(() => {})
    throw err
  }

  const startedAt = Date.now()
  let stopping = false
  registerRelayInfo(registry, node, options.role, version)

  const api: RelayHttpApi = {
    health: (): HealthStatus => ({
      status: stopping ? 'stopping' : 'ok',
      peerId: node.peerId,
      role: options.role,
      version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      connections: node.libp2p.getConnections().length
    }),
    peers: () => ({ peerId: node.peerId, peers: node.peers() }),
    topology: () => node.topology(),
    bootstrap: (): BootstrapInfo => ({ peerId: node.peerId, addresses: browserDialable(node.addresses()), iceServers: iceServersNow() }),
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() })
  }

  let http: RelayHttpServer | undefined
  let httpUrl: string | null = null
  try {
    await node.start()
    if (options.http != null) {
      http = createRelayHttpServer({ api, demo: options.serveDemo, cwd: init.cwd, logger, ...(tls != null ? { tls: { cert: tls.cert, key: tls.key } } : {}) })
      httpUrl = await http.listen(options.http)
    }
  } catch (err) {
    await http?.close().catch(() => {})
    await node.stop().catch(() => {})
    await peerStore.close().catch(() => {})
    throw err
  }

  node.addEventListener('addresses:change', event => {
    logger.info('addresses changed', { addresses: event.detail })
  })

  const ready: ReadyEvent = {
    event: 'ready',
    peerId: node.peerId,
    addresses: node.addresses(),
    multiaddrs: node.libp2p.getMultiaddrs().map(ma => ma.toString()),
    http: httpUrl
  }

  const reloadOnce = async (files: NonNullable<typeof tlsFiles>): Promise<void> => {
    try {
      const next = await loadTlsCertificate(files)
      if (tls != null && next.cert === tls.cert && next.key === tls.key) return
      tls = next
      http?.setTlsCertificate({ cert: next.cert, key: next.key })
      ;(node.libp2p.services as { tls?: TlsCertificates }).tls?.renew({ cert: next.cert, key: next.key })
      logger.info('tls certificate reloaded', tlsSummary(next))
    } catch (err) {
      logger.error('tls certificate reload failed: still serving the previous one', { error: err, ...(tls != null ? tlsSummary(tls) : {}) })
    }
  }
  // One reload at a time; a request during one runs another after it (the files may have
  // changed after it read them).
  let reloading: Promise<void> | undefined
  let reloadAgain = false
  const reloadTls = async (): Promise<void> => {
    if (tlsFiles == null || stopping) return
    if (reloading != null) {
      reloadAgain = true
      await reloading
      return
    }
    reloading = (async () => {
      do {
        reloadAgain = false
        await reloadOnce(tlsFiles)
      } while (reloadAgain && !stopping)
    })().finally(() => { reloading = undefined })
    await reloading
  }
  const unwatchTls = tlsFiles == null ? () => {} : watchTlsFiles(tlsFiles, DEFAULTS.tlsWatchIntervalMs, () => { void reloadTls() })

  let stopped: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping = true
    unwatchTls()
    stopped ??= (async () => {
      await node.stop() // closes connections, flushes and closes the peer store
      await http?.close()
    })()
    await stopped
  }

  return { ready, node, stop, reloadTls }
}

/** `/ip4/…/tcp/N/ws` → `/ip4/…/tcp/N/tls/ws`; other addresses (already `/tls/ws` or `/wss`, or not WebSocket) as given. */
export function secureWebSocketListen (address: string): string {
  return /\/tcp\/[0-9]+\/ws$/.test(address) ? `${address.slice(0, -'/ws'.length)}/tls/ws` : address
}

function tlsSummary (tls: TlsCertificatePair): Record<string, unknown> {
  return { fingerprint256: tls.fingerprint256, validTo: tls.validTo, subjectAltName: tls.subjectAltName }
}

/** The wss, ws and webrtc-direct NodeAddress URLs among `addresses` (in that order): what a browser tab can dial. */
export function browserDialable (addresses: readonly string[]): string[] {
  const rank = (address: string): number => {
    try {
      return BROWSER_DIALABLE.indexOf(parseNodeAddress(address).protocol)
    } catch {
      return -1
    }
  }
  return addresses
    .map(address => ({ address, rank: rank(address) }))
    .filter(entry => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map(entry => entry.address)
}

/**
 * Adds `/ip4/<host>/udp/<port>/webrtc-direct` on the host of the first IP listen address (or
 * 127.0.0.1) unless `port` is null or a webrtc-direct address is already listed.
 */
export function withWebRtcDirectListen (listen: readonly string[], port: number | null): string[] {
  if (port == null || listen.some(address => address.includes('/webrtc-direct'))) return [...listen]
  const host = listen.map(address => /^\/(ip4|ip6)\/([^/]+)\//.exec(address)).find(match => match != null)
  const family = host?.[1] ?? 'ip4'
  const address = host?.[2] ?? '127.0.0.1'
  return [...listen, `/${family}/${address}/udp/${port}/webrtc-direct`]
}

/**
 * `peermesh_relay_info{peer_id,role,version} 1`. The mesh metrics themselves (`peermesh_peers`,
 * `peermesh_connections`, dials, PEX, …) are registered by core through the libp2p metrics.
 */
function registerRelayInfo (registry: Registry, node: PeerMeshNode, role: string, version: string): void {
  const info = new Gauge({
    name: 'peermesh_relay_info',
    help: 'Always 1; the labels describe this peermesh-relay process',
    labelNames: ['peer_id', 'role', 'version'],
    registers: [registry]
  })
  info.set({ peer_id: node.peerId, role, version }, 1)
}
