/**
 * `createLibp2pNode` for browsers (swapped in for `create-libp2p.node.ts` by the package.json
 * `browser` map). A tab cannot listen on sockets: it is reachable through a relay reservation
 * (`/p2p-circuit`) and accepts WebRTC (`/webrtc`) signalled over it. The `relay` role is refused.
 */
import { BROWSER_DEFAULTS, WEBRTC_MEMBER_LISTEN } from './constants.js'
import { InvalidLibp2pNodeInitError } from './errors.js'
import { createLibp2pNodeFor, type Libp2pRuntime } from './libp2p-options.js'
import type { Libp2pNodeInit, Libp2pNodeServices, WebRtcDirectCertificateInit } from './init.js'
import type { Libp2p, ServiceMap } from '@libp2p/interface'

/** Browser overrides of `LIBP2P_NODE_DEFAULTS` (values and reasons in `BROWSER_DEFAULTS`). */
const browserRuntime: Libp2pRuntime = {
  name: 'browser',
  defaults: {
    role: BROWSER_DEFAULTS.role,
    maxConnections: BROWSER_DEFAULTS.maxConnections,
    dialConcurrency: BROWSER_DEFAULTS.dialConcurrency
  },
  defaultListen: (role) => {
    if (role === 'relay') {
      throw new InvalidLibp2pNodeInitError('role', 'a browser cannot be a relay: it cannot listen for connections')
    }
    return WEBRTC_MEMBER_LISTEN
  }
}

/**
 * Create (and, with `start: true`, start) a libp2p node with peermesh's transports and services.
 *
 * @example
 * ```ts
 * const node = await createLibp2pNode({ privateKey, start: true })
 * await node.dial(multiaddr(relayAddress))
 * ```
 */
export async function createLibp2pNode<S extends ServiceMap = Record<never, never>> (
  init: Libp2pNodeInit<S>
): Promise<Libp2p<Libp2pNodeServices & S>> {
  return await createLibp2pNodeFor(init, browserRuntime)
}

/** WebRTC-Direct certificates are for listeners, and a browser cannot listen: always throws. */
export async function createWebRtcDirectCertificate (): Promise<WebRtcDirectCertificateInit> {
  throw new InvalidLibp2pNodeInitError('webRtcDirectCertificate', 'a browser cannot listen for WebRTC-Direct, so it needs no certificate')
}

/** WebRTC-Direct certificates are for listeners, and a browser cannot listen: always throws. */
export function webRtcDirectCertificateFromPem (): WebRtcDirectCertificateInit {
  throw new InvalidLibp2pNodeInitError('webRtcDirectCertificate', 'a browser cannot listen for WebRTC-Direct, so it needs no certificate')
}
