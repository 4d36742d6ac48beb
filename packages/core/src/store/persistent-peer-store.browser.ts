/**
 * The persistent peer store of this runtime. In browsers: IndexedDB, in the database named
 * `location`. Swapped in for `persistent-peer-store.node.js` by the package.json `browser` map.
 */
import { createIndexedDbPeerStore } from './indexeddb-peer-store.js'
import type { PeerStore } from './peer-store.js'
import type { PersistentPeerStoreInit } from './persistent-peer-store-init.js'

export type { PersistentPeerStoreInit }

/**
 * Opens this runtime's persistent {@link PeerStore} at `location`.
 *
 * @throws {PeerStoreIoError} if the database cannot be opened
 */
export async function createPersistentPeerStore (init: PersistentPeerStoreInit): Promise<PeerStore> {
  return createIndexedDbPeerStore(init.logger === undefined ? { databaseName: init.location } : { databaseName: init.location, logger: init.logger })
}
