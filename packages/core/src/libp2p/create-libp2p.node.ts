/**
 * `createLibp2pNode` for Node.js. Swapped for `create-libp2p.browser.ts` in browsers (package.json
 * `browser` map). Node can host every role: a relay listens on WebSockets, a plain member
 * listens like a browser (`/p2p-circuit`, `/webrtc`); WebRTC runs on node-datachannel.
 */
import '../shims/node.js'
import { LIBP2P_NODE_DEFAULTS, RELAY_WEBSOCKET_LISTEN, WEBRTC_MEMBER_LISTEN } from './constants.js'
import { createLibp2pNodeFor, type Libp2pRuntime } from './libp2p-options.js'
import { processWebRtcDirectCertificate } from './webrtc-direct-certificate.node.js'

export { createWebRtcDirectCertificate, webRtcDirectCertificateFromPem } from './webrtc-direct-certificate.node.js'
import type { Libp2pNodeInit, Libp2pNodeServices } from './init.js'
import type { Libp2p, ServiceMap } from '@libp2p/interface'

const nodeRuntime: Libp2pRuntime = {
  name: 'node',
  defaults: {
    role: LIBP2P_NODE_DEFAULTS.role,
    maxConnections: LIBP2P_NODE_DEFAULTS.maxConnections,
    dialConcurrency: LIBP2P_NODE_DEFAULTS.dialConcurrency
  },
  defaultListen: (role) => role === 'relay' ? RELAY_WEBSOCKET_LISTEN : WEBRTC_MEMBER_LISTEN,
  adaptIceServer: percentEncodeIceCredentials,
  defaultWebRtcDirectCertificate: processWebRtcDirectCertificate
}

/**
 * node-datachannel 0.33's `RTCPeerConnection` hands each server to libdatachannel as a URL,
 * `turn:<username>:<credential>@host`, without encoding them, and libdatachannel URL-decodes
 * them. TURN REST credentials (`<expiry>:<name>`, a base64 HMAC with `/`, `+`, `=`) then reach
 * the TURN server cut at the first colon and are refused (401). Encoding them here makes them
 * arrive intact (tested against coturn in node-relay's test/process/turn.test.ts).
 */
export function percentEncodeIceCredentials (server: RTCIceServer): RTCIceServer {
  return {
    ...server,
    ...(server.username != null ? { username: encodeURIComponent(server.username) } : {}),
    ...(typeof server.credential === 'string' ? { credential: encodeURIComponent(server.credential) } : {})
  }
}

/**
 * Create (and, with `start: true`, start) a libp2p node with peermesh's transports and services.
 *
 * @example
 * ```ts
 * const relay = await createLibp2pNode({ privateKey, role: 'relay', start: true })
 * const member = await createLibp2pNode({ privateKey: other, role: 'node', start: true })
 * await member.dial(relay.getMultiaddrs()[0])
 * ```
 */
export async function createLibp2pNode<S extends ServiceMap = Record<never, never>> (
  init: Libp2pNodeInit<S>
): Promise<Libp2p<Libp2pNodeServices & S>> {
  return await createLibp2pNodeFor(init, nodeRuntime)
}
