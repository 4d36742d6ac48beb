/**
 * The persistent peer store of this runtime. In Node.js: LevelDB in the directory `location`.
 * The package.json `browser` map swaps this module for `persistent-peer-store.browser.js`
 * (IndexedDB), so runtime-neutral code imports `./persistent-peer-store.node.js` and gets the
 * right one in each runtime.
 */
import { createLevelPeerStore } from './level-peer-store.js'
import type { PeerStore } from './peer-store.js'
import type { PersistentPeerStoreInit } from './persistent-peer-store-init.js'

export type { PersistentPeerStoreInit }

/**
 * Opens this runtime's persistent {@link PeerStore} at `location`.
 *
 * @throws {PeerStoreIoError} if the database cannot be opened
 */
export async function createPersistentPeerStore (init: PersistentPeerStoreInit): Promise<PeerStore> {
  return createLevelPeerStore(init.logger === undefined ? { location: init.location } : { location: init.location, logger: init.logger })
}
