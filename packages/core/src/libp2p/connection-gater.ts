/**
 * Our connection gater: an address policy for outgoing dials plus the caller's extra hooks.
 *
 * libp2p's browser build installs a default gater that refuses every insecure WebSocket address
 * and every private address (127.0.0.1 too), which makes a local relay unreachable. Supplying our
 * own `denyDialMultiaddr` replaces that default, so we re-implement the same two rules and relax
 * each one only when its flag says so. Node.js uses the very same policy, so both runtimes behave
 * alike.
 */
import { isPrivate } from '@libp2p/utils'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface DialAddressPolicy {
  allowInsecureWebSockets: boolean
  allowPrivateAddresses: boolean
}

/**
 * True when the policy refuses to dial `multiaddr`. Both rules look at the first hop: for a
 * circuit address `/ip4/127.0.0.1/tcp/9/ws/p2p/R/p2p-circuit/webrtc/p2p/P` that is the relay.
 */
export function deniedByDialAddressPolicy (multiaddr: Multiaddr, policy: DialAddressPolicy): boolean {
  // `matches` is a prefix match: `/…/ws` followed by anything (e.g. a circuit) is insecure too.
  if (!policy.allowInsecureWebSockets && WebSockets.matches(multiaddr)) return true
  if (!policy.allowPrivateAddresses && isPrivate(multiaddr)) return true
  return false
}

const GATER_HOOKS = [
  'denyDialPeer',
  'denyDialMultiaddr',
  'denyInboundConnection',
  'denyOutboundConnection',
  'denyInboundEncryptedConnection',
  'denyOutboundEncryptedConnection',
  'denyInboundUpgradedConnection',
  'denyOutboundUpgradedConnection',
  'denyInboundRelayReservation',
  'denyOutboundRelayedConnection',
  'denyInboundRelayedConnection',
  'filterMultiaddrForPeer'
] as const satisfies ReadonlyArray<keyof ConnectionGater>

/**
 * Build the gater: the address policy first, then the caller's `denyDialMultiaddr`; every other
 * hook of `extra` as given. Hooks are bound to `extra`, so a class instance works too.
 */
export function createConnectionGater (policy: DialAddressPolicy, extra: ConnectionGater = {}): ConnectionGater {
  const gater: Record<string, unknown> = {}
  for (const hook of GATER_HOOKS) {
    const fn = extra[hook]
    if (typeof fn === 'function') gater[hook] = fn.bind(extra)
  }
  const extraDenyDialMultiaddr = gater.denyDialMultiaddr as ConnectionGater['denyDialMultiaddr']
  gater.denyDialMultiaddr = async (multiaddr: Multiaddr): Promise<boolean> => {
    if (deniedByDialAddressPolicy(multiaddr, policy)) return true
    return extraDenyDialMultiaddr == null ? false : await extraDenyDialMultiaddr(multiaddr)
  }
  return gater as ConnectionGater
}
