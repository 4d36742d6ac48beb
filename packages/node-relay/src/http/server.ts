/**
 * The relay's HTTP server (plain `node:http`): health, Prometheus metrics, a read-only JSON API
 * about the mesh, and the built web demo at `/`.
 *
 * | route | answer |
 * |---|---|
 * | `GET /healthz` | 200 `{ status: 'ok', … }`, 503 while stopping |
 * | `GET /metrics` | Prometheus text exposition |
 * | `GET /api/peers` | `{ peerId, peers: PeerView[] }` |
 * | `GET /api/topology` | `TopologyGraph` |
 * | `GET /api/bootstrap` | `{ peerId, addresses, iceServers }`: the NodeAddress URLs a browser should dial and the ICE servers its WebRTC should use (TURN credentials fresh for each request) |
 * | `GET /…` | the web demo's files (with `--serve-demo`) |
 *
 * Every route answers `HEAD` like `GET` without a body; other methods get 405. `/api/*` carries
 * `Access-Control-Allow-Origin: *` so that a page on another origin can read it. Unknown paths get
 * a JSON 404. A request with a body gets 413 (no route takes one).
 *
 * Against slow and idle clients ({@link HTTP_CONNECTION_LIMITS}, docs/RELIABILITY.md): headers
 * within 10 s, a whole request within 30 s, idle keep-alive sockets closed after 5 s, at most 32
 * sockets per remote address, and at most 1,024 in all, where a new socket closes the oldest idle
 * one instead of being refused, so that `/healthz` answers while an attacker holds idle sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { pipeline } from 'node:stream/promises'
import type { Logger } from '../logger.js'
import type { DemoSource, HttpAddress, IceServer } from '../options.js'
import { locateDemoSite, type DemoSite } from './demo-directory.js'
import { findStaticFile, openStaticFile } from './static-files.js'

/** `GET /healthz`. */
export interface HealthStatus {
  status: 'ok' | 'stopping'
  peerId: string
  role: string
  version: string
  /** Seconds since the node started. */
  uptimeSeconds: number
  /** Open libp2p connections. */
  connections: number
}

/** `GET /api/bootstrap`. */
export interface BootstrapInfo {
  peerId: string
  /** NodeAddress URLs a browser can dial (ws and wss only). */
  addresses: string[]
  /** ICE servers for the page's WebRTC (`RTCIceServer`s), with fresh TURN credentials. */
  iceServers: IceServer[]
}

/** What the HTTP server reads; the relay implements it over its running node. */
export interface RelayHttpApi {
  health(): HealthStatus
  peers(): unknown
  topology(): unknown
  bootstrap(): BootstrapInfo
  metrics(): Promise<{ contentType: string, body: string }>
}

export interface RelayHttpServerInit {
  api: RelayHttpApi
  demo: DemoSource
  /** Directory a relative `--serve-demo=<dir>` is resolved against. */
  cwd: string
  logger: Logger
  /** @default HTTP_CONNECTION_LIMITS */
  limits?: Partial<HttpConnectionLimits>
  /** Serve HTTPS with this PEM certificate (chain) and key instead of plain HTTP. @default undefined */
  tls?: { cert: string, key: string }
}

export interface RelayHttpServer {
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:54321`, `https://…` with TLS). */
  listen(address: HttpAddress): Promise<string>
  /** New connections get this certificate from now on (HTTPS only; open ones keep theirs). */
  setTlsCertificate(tls: { cert: string, key: string }): void
  /** Stops accepting, closes idle and active connections, and resolves when closed. */
  close(): Promise<void>
}

/** The longest request target we look at, bytes. Longer ones get 414. */
export const MAX_REQUEST_TARGET_BYTES = 2048

/** Limits of the HTTP server's connections (see {@link applyConnectionLimits}). */
export interface HttpConnectionLimits {
  /** Sockets open at once; at the cap, a new socket closes the oldest idle one (or itself, if none is idle). */
  maxConnections: number
  /** Sockets open at once from one remote address; more are closed as they connect. */
  maxConnectionsPerAddress: number
  /** The request headers must arrive within this time of the connection or the previous request, ms. */
  headersTimeoutMs: number
  /** A whole request must arrive within this time, ms. */
  requestTimeoutMs: number
  /** A keep-alive socket with no request in flight is closed after this time, ms. */
  keepAliveTimeoutMs: number
  /** Requests one keep-alive socket may carry; then the server closes it. */
  maxRequestsPerSocket: number
  /** Header fields read per request; the rest are ignored. */
  maxHeadersCount: number
  /** Bytes of request line + headers; more get 431. */
  maxHeaderSizeBytes: number
  /** How often Node checks the header and request timeouts, ms. */
  timeoutCheckIntervalMs: number
}

export const HTTP_CONNECTION_LIMITS: Readonly<HttpConnectionLimits> = Object.freeze({
  maxConnections: 1024,
  maxConnectionsPerAddress: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1000,
  maxHeadersCount: 64,
  maxHeaderSizeBytes: 16 * 1024,
  timeoutCheckIntervalMs: 1_000
})

const JSON_TYPE = 'application/json; charset=utf-8'

/** Creates the server (not yet listening). */
export function createRelayHttpServer (init: RelayHttpServerInit): RelayHttpServer {
  const { api, logger } = init
  let demoSite: DemoSite | undefined
  const sockets = new Set<Socket>()

  /** The demo is located on first use, and again while it is missing (it may be built later). */
  const currentDemoSite = async (): Promise<DemoSite> => {
    if (demoSite == null || demoSite.kind === 'missing') demoSite = await locateDemoSite(init.demo, init.cwd)
    return demoSite
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (hasBody(req)) {
      // no route takes a body: refuse it without reading it, and close the socket after the answer
      res.setHeader('Connection', 'close')
      sendJson(res, req, 413, { error: 'request bodies are not accepted' })
      res.once('finish', () => { req.socket.destroySoon() })
      return
    }
    const target = req.url ?? '/'
    if (Buffer.byteLength(target) > MAX_REQUEST_TARGET_BYTES) {
      sendJson(res, req, 414, { error: 'request target too long' })
      return
    }
    const pathname = pathnameOf(target)
    const isApi = pathname.startsWith('/api/')
    if (isApi) res.setHeader('Access-Control-Allow-Origin', '*')

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendJson(res, req, 405, { error: `method ${req.method ?? ''} not allowed` })
      return
    }

    switch (pathname) {
      case '/healthz': {
        const health = api.health()
        sendJson(res, req, health.status === 'ok' ? 200 : 503, health)
        return
      }
      case '/metrics': {
        const { contentType, body } = await api.metrics()
        send(res, req, 200, contentType, body)
        return
      }
      case '/api/peers':
        sendJson(res, req, 200, api.peers())
        return
      case '/api/topology':
        sendJson(res, req, 200, api.topology())
        return
      case '/api/bootstrap':
        sendJson(res, req, 200, api.bootstrap())
        return
    }

    if (!isApi) {
      const site = await currentDemoSite()
      if (site.kind === 'ready') {
        const file = await findStaticFile(site.root, pathname)
        if (file != null) {
          res.writeHead(200, {
            'Content-Type': file.contentType,
            'Content-Length': file.size,
            'Cache-Control': 'no-cache',
            'X-Content-Type-Options': 'nosniff'
          })
          if (req.method === 'HEAD') {
            res.end()
          } else {
            await pipeline(openStaticFile(file), res)
          }
          return
        }
      } else if (site.kind === 'missing' && (pathname === '/' || pathname === '/index.html')) {
        send(res, req, 503, 'text/html; charset=utf-8', demoMissingPage(site))
        return
      }
    }
    sendJson(res, req, 404, { error: 'not found', path: pathname })
  }

  const limits: HttpConnectionLimits = { ...HTTP_CONNECTION_LIMITS, ...init.limits }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      logger.warn('http request failed', { method: req.method, url: req.url, error: err })
      if (!res.headersSent) {
        sendJson(res, req, 500, { error: 'internal error' })
      } else {
        res.destroy()
      }
    })
  }
  const tlsServer: HttpsServer | undefined = init.tls == null
    ? undefined
    : createHttpsServer({ ...serverOptionsFor(limits), cert: init.tls.cert, key: init.tls.key }, onRequest)
  const server: Server = tlsServer ?? createServer(serverOptionsFor(limits), onRequest)
  // `Expect: 100-continue` is answered like any request: no route takes a body, so we never
  // invite one with a 100 (a declared body gets its 413 at once)
  server.on('checkContinue', onRequest)
  applyConnectionLimits(server, sockets, limits, logger)
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
  })

  return {
    async listen (address) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(address.port, address.host, () => {
          server.off('error', reject)
          resolve()
        })
      })
      const bound = server.address() as AddressInfo
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
      return `${tlsServer == null ? 'http' : 'https'}://${host}:${bound.port}`
    },
    setTlsCertificate (tls) {
      tlsServer?.setSecureContext({ cert: tls.cert, key: tls.key })
    },
    async close () {
      if (!server.listening) return
      const closed = new Promise<void>(resolve => server.close(() => { resolve() }))
      server.closeIdleConnections()
      for (const socket of sockets) socket.destroy()
      await closed
    }
  }
}

/** The `node:http` options that carry {@link HttpConnectionLimits}. */
function serverOptionsFor (limits: HttpConnectionLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSizeBytes,
    connectionsCheckingInterval: limits.timeoutCheckIntervalMs
  }
}

/**
 * Caps the sockets of `server`: per remote address (closed as they connect), and in all, where a
 * new socket closes the oldest socket with no request in flight, so that an attacker holding idle
 * sockets cannot lock honest clients out (the server used to refuse every new socket at 1,024).
 * `sockets` is filled with every open socket (the server's close() destroys them).
 */
function applyConnectionLimits (server: Server, sockets: Set<Socket>, limits: HttpConnectionLimits, logger: Logger): void {
  server.maxHeadersCount = limits.maxHeadersCount
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket
  const inFlight = new Map<Socket, number>()
  const perAddress = new Map<string, number>()
  let refusedPerAddress = 0
  let evictedIdle = 0

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? ''
    const fromAddress = perAddress.get(address) ?? 0
    if (fromAddress >= limits.maxConnectionsPerAddress) {
      if (refusedPerAddress++ % 1000 === 0) logger.warn('http: too many sockets from one address, closing new ones', { address, limit: limits.maxConnectionsPerAddress, refused: refusedPerAddress })
      socket.destroy()
      return
    }
    if (sockets.size >= limits.maxConnections) {
      const idle = oldestIdle(sockets, inFlight)
      if (idle == null) {
        socket.destroy()
        return
      }
      if (evictedIdle++ % 1000 === 0) logger.warn('http: socket cap reached, closing the oldest idle sockets', { limit: limits.maxConnections, evicted: evictedIdle })
      idle.destroy()
    }
    perAddress.set(address, fromAddress + 1)
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      inFlight.delete(socket)
      const left = (perAddress.get(address) ?? 1) - 1
      if (left <= 0) perAddress.delete(address); else perAddress.set(address, left)
    })
  })
  const busy = (req: IncomingMessage, res: ServerResponse): void => {
    // over HTTPS the request's socket is the TLSSocket wrapping the TCP socket counted above
    const socket = (req.socket as Socket & { _parent?: Socket })._parent ?? req.socket
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1)
    res.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1
      if (left <= 0) inFlight.delete(socket); else inFlight.set(socket, left)
    })
  }
  server.on('request', busy)
  server.on('checkContinue', busy)
}

/** The socket open longest with no request in flight (a Set iterates in insertion order). */
function oldestIdle (sockets: Set<Socket>, inFlight: Map<Socket, number>): Socket | undefined {
  for (const socket of sockets) {
    if (!inFlight.has(socket)) return socket
  }
  return undefined
}

/** Whether a request declares a body (a length above 0, or any transfer coding). */
function hasBody (req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] != null) return true
  const length = req.headers['content-length']
  return length != null && length !== '0'
}

/** The path part of a request target, without query or fragment. */
function pathnameOf (target: string): string {
  const end = target.search(/[?#]/)
  const path = end === -1 ? target : target.slice(0, end)
  return path.startsWith('/') ? path : `/${path}`
}

function send (res: ServerResponse, req: IncomingMessage, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff'
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

function sendJson (res: ServerResponse, req: IncomingMessage, status: number, value: unknown): void {
  send(res, req, status, JSON_TYPE, JSON.stringify(value) + '\n')
}

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

function demoMissingPage (site: Extract<DemoSite, { kind: 'missing' }>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>peermesh relay: web demo not built</title></head>
<body>
<h1>The web demo is not built yet</h1>
<p>This relay was started with <code>--serve-demo</code>, but <code>${escapeHtml(site.expected)}</code> does not exist.</p>
<p>Build it, then reload this page (no restart needed):</p>
<pre>${escapeHtml(site.howToBuild)}</pre>
<p>The relay itself is running: see <a href="/healthz">/healthz</a>, <a href="/api/bootstrap">/api/bootstrap</a>, <a href="/metrics">/metrics</a>.</p>
</body></html>
`
}
