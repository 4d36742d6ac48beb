/**
 * The simulated nodes' peer store: it keeps nothing. A simulated node never restarts from its
 * store (a node that leaves is gone; a newcomer starts with an empty book), so what the
 * PeerManager's write-through persistence writes is never read back, and writing it through the
 * memory store (a record validated, a PeerId decoded per write) was a seventh of a 1000-node run's
 * CPU. The PeerManager still schedules and counts every write exactly as it does over a real store;
 * only the I/O is left out.
 */
import type { PeerRecord, PeerStore, PeerStoreLoadResult } from '../store/peer-store.js'
import { PeerStoreClosedError } from '../store/errors.js'

class DiscardingPeerStore implements PeerStore {
  private closed = false

  async load (): Promise<PeerStoreLoadResult> {
    this.assertOpen()
    return { records: [], skipped: 0 }
  }

  async put (_record: PeerRecord): Promise<void> {
    this.assertOpen()
  }

  async delete (_peerId: string): Promise<void> {
    this.assertOpen()
  }

  async close (): Promise<void> {
    this.closed = true
  }

  private assertOpen (): void {
    if (this.closed) throw new PeerStoreClosedError()
  }
}

/** A {@link PeerStore} that starts empty and forgets every write. */
export function createDiscardingPeerStore (): PeerStore {
  return new DiscardingPeerStore()
}
