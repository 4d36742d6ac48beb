/**
 * NOT YET PRODUCTION CODE: the one rule the simulator still restates. `create-node.ts` builds the
 * peer exchange's view of the PeerManager in a private function (`peerExchangeBook`): while fewer
 * than `minConnected` peers are connected the book counts as empty, so a member asks again within
 * about a second; relays pass no floor. It is copied here line for line until it is exported from
 * an I/O-free module (then this file goes). docs/BENCHMARKS.md, "Mesh simulator", lists what a run
 * drives from production code.
 */
import type { PeerManager } from '../peer-manager/index.js'
import type { PeerExchangeBook } from '../pex/index.js'

export function peerExchangeBook (peerManager: PeerManager, maxPeers: number, minConnectedFloor: number): PeerExchangeBook {
  return {
    advertise: (forPeerId, limit) => peerManager.advertise(forPeerId, limit),
    add: (address, options) => peerManager.add(address, options),
    knownPeerCount: () => {
      const stats = peerManager.stats()
      return stats.connected < minConnectedFloor ? 0 : stats.peers
    },
    capacity: () => maxPeers > 0 ? maxPeers : Number.MAX_SAFE_INTEGER
  }
}
