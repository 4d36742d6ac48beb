/**
 * NOT YET PRODUCTION CODE. These few rules live inside private methods of the peer exchange
 * service (`PeerExchangeService.#selectAddresses`, `#accept`, `#parseRequest`) and in
 * `create-node.ts` (`peerExchangeBook`), tangled with their streams, so the simulator cannot call
 * them. They are restated here, line for line, until the I/O-free policy modules that the
 * libp2p services will also drive exist; then this file goes and the simulator calls those.
 * docs/BENCHMARKS.md, "Mesh simulator", lists which rules a run drives from production code.
 */
import type { NodeAddress } from '../address/index.js'
import type { PeerManager, PeerManagerOptions } from '../peer-manager/index.js'
import type { PexRequestSchedulerInit, PeerExchangeOptions, PexResult } from '../pex/index.js'
import { PexMostlyInvalidAddressesError } from '../pex/index.js'
import { pexAddressFieldBytes, pexResponseFrameBytes } from '../pex/framing.js'

const utf8 = new TextEncoder()

/** `#parseRequest`: the limit a request asks for, capped at ours. */
export function requestLimit (limit: number | undefined, options: PeerExchangeOptions): number {
  const max = options.maxAddressesPerResponse
  return limit === undefined || limit === 0 ? max : Math.min(limit, max)
}

/** `#selectAddresses`: from the book, never the requester's own, deduplicated, within both caps. */
export function selectPexAddresses (pm: PeerManager, remote: string, limit: number, options: PeerExchangeOptions): NodeAddress[] {
  const candidates = pm.advertise(remote, limit)
  const selected: NodeAddress[] = []
  const seen = new Set<string>()
  let bodyBytes = 0
  for (const address of candidates) {
    if (selected.length >= limit) break
    if (address.peerId === remote) continue
    const url = address.toString()
    if (seen.has(url)) continue
    const urlBytes = utf8.encode(url).length
    if (urlBytes > options.maxAddressBytes) continue
    const nextBodyBytes = bodyBytes + pexAddressFieldBytes(urlBytes)
    if (pexResponseFrameBytes(nextBodyBytes) > options.maxMessageBytes) break
    bodyBytes = nextBodyBytes
    seen.add(url)
    selected.push(address)
  }
  return selected
}

/**
 * `#accept`: drop our own and duplicate addresses, refuse a mostly invalid response, offer the
 * rest to the book as gossip. (Simulated peers send only addresses that parse, so `invalid` is 0.)
 */
export function acceptPexAddresses (pm: PeerManager, self: string, addresses: readonly NodeAddress[], options: PeerExchangeOptions): PexResult {
  const candidates: NodeAddress[] = []
  const seen = new Set<string>()
  const invalid = 0
  let rejected = 0
  for (const address of addresses) {
    const url = address.toString()
    if (address.peerId === self || seen.has(url)) {
      rejected++
      continue
    }
    seen.add(url)
    candidates.push(address)
  }
  if (addresses.length > 0 && invalid / addresses.length > options.maxInvalidAddressRatio) {
    throw new PexMostlyInvalidAddressesError('', 'mostly invalid addresses')
  }
  let added = 0
  for (const address of candidates) {
    let isNew = false
    try {
      isNew = pm.add(address, { source: 'gossip' })
    } catch {
      // refused by the book
    }
    if (isNew) added++
    else rejected++
  }
  return { added, rejected, invalid }
}

/**
 * create-node.ts `peerExchangeBook`: while fewer than `minConnected` peers are connected the book
 * counts as empty (so a member asks again within a second); relays pass no floor.
 */
export function peerExchangeBookView (pm: PeerManager, options: PeerManagerOptions, role: 'node' | 'relay' | 'browser'): PexRequestSchedulerInit['book'] {
  const floor = role === 'relay' ? 0 : options.minConnected
  return {
    knownPeerCount: () => {
      const stats = pm.stats()
      return stats.connected < floor ? 0 : stats.peers
    },
    capacity: () => options.maxPeers > 0 ? options.maxPeers : Number.MAX_SAFE_INTEGER
  }
}
