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
 * a JSON 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
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
/** Open HTTP connections at once; more are refused by the server until some close. */
export const MAX_HTTP_CONNECTIONS = 1024
/** A request must arrive completely within this time, ms. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000

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
  const tlsServer: HttpsServer | undefined = init.tls == null ? undefined : createHttpsServer({ cert: init.tls.cert, key: init.tls.key }, onRequest)
  const server: Server = tlsServer ?? createServer(onRequest)
  server.maxConnections = MAX_HTTP_CONNECTIONS
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS
  server.headersTimeout = Math.min(server.headersTimeout, HTTP_REQUEST_TIMEOUT_MS)
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
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
