/**
 * TLS for the WebSocket listener (`/tls/ws`, i.e. `wss://`) of a Node relay, and renewing its
 * certificate without a restart.
 *
 * @libp2p/websockets 10 creates its HTTPS server inside `listen()` from `webSockets({ https })`,
 * and replaces it with one using a new certificate on the node's internal `certificate:renew`
 * event (the event @libp2p/auto-tls sends): connections already open keep the old certificate,
 * new ones get the new one. That event bus is visible only to components, hence this small
 * service: `node.services.tls.renew({ cert, key })`.
 */
import type { Libp2pEvents, TypedEventTarget } from '@libp2p/interface'

/** A PEM certificate (chain: the server's certificate first) and its PEM private key. */
export interface WebSocketTlsInit {
  cert: string
  key: string
}

/** The `tls` service of a node created with `webSocketTls`. */
export interface TlsCertificates {
  /** Serves `tls` to every new `wss://` connection from now on. */
  renew: (tls: WebSocketTlsInit) => void
}

export interface TlsCertificatesComponents {
  events: TypedEventTarget<Libp2pEvents>
}

/** The service factory (added by `buildLibp2pOptions` when `webSocketTls` is given). */
export function tlsCertificates (): (components: TlsCertificatesComponents) => TlsCertificates {
  return (components) => ({
    renew (tls) {
      components.events.safeDispatchEvent('certificate:renew', { detail: { cert: tls.cert, key: tls.key } })
    }
  })
}
