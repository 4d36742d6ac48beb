/**
 * A peer store in the browser's IndexedDB, through `idb-keyval`. Browser only: Node code uses
 * `createLevelPeerStore`; runtime-neutral code uses `createPersistentPeerStore`.
 *
 * Each record is the JSON string from {@link encodePeerRecord}, under `peer/<peerId>`; a `put()`
 * resolves when its transaction has committed.
 *
 * @example
 * ```ts
 * const store = await createIndexedDbPeerStore({ databaseName: 'peermesh' })
 * const { records } = await store.load()
 * ```
 */
import type { AbortOptions } from '@libp2p/interface'
import { del, promisifyRequest, set } from 'idb-keyval'
import { silentLogger, type Logger } from '../logger.js'
import { PeerStoreClosedError, PeerStoreIoError } from './errors.js'
import { DEFAULT_INDEXEDDB_STORE_NAME, openIndexedDb, type IndexedDbHandle } from './indexeddb-database.js'
import { LoadResultCollector } from './load-result-collector.js'
import { decodePeerRecord, encodePeerRecord, validatePeerIdString } from './peer-record-codec.js'
import type { PeerRecord, PeerStore, PeerStoreLoadResult } from './peer-store.js'

/** Every peer record key starts with this. */
export const INDEXEDDB_PEER_KEY_PREFIX = 'peer/'

/** The IndexedDB key of a peer's record. */
export function indexedDbPeerKey (peerId: string): string {
  return `${INDEXEDDB_PEER_KEY_PREFIX}${peerId}`
}

export interface IndexedDbPeerStoreInit {
  /** Name of the IndexedDB database: one per node (the node's private key can live in it too). */
  databaseName: string
  /**
   * Object store inside the database.
   *
   * @default 'peermesh'
   */
  storeName?: string
  /**
   * Receives a warning for every record skipped by `load()`.
   *
   * @default silentLogger
   */
  logger?: Logger
}

class IndexedDbPeerStore implements PeerStore {
  private closed = false

  constructor (private readonly db: IndexedDbHandle, private readonly logger: Logger) {}

  async load (options?: AbortOptions): Promise<PeerStoreLoadResult> {
    this.assertUsable(options)
    // '0' follows '/': the range holds exactly the keys starting with 'peer/'.
    const range = IDBKeyRange.bound(INDEXEDDB_PEER_KEY_PREFIX, 'peer0', false, true)
    let keys: IDBValidKey[]
    let values: unknown[]
    try {
      [keys, values] = await this.db.use('readonly', async (store) => Promise.all([
        promisifyRequest(store.getAllKeys(range)),
        promisifyRequest(store.getAll(range))
      ]))
    } catch (err) {
      throw this.wrap(err, 'could not read the peer records')
    }
    options?.signal?.throwIfAborted()
    const collector = new LoadResultCollector(this.logger, 'indexeddb')
    keys.forEach((key, i) => {
      const k = String(key)
      collector.add(k, () => decodePeerRecord(values[i] as string, k.slice(INDEXEDDB_PEER_KEY_PREFIX.length)))
    })
    return collector.result()
  }

  async put (record: PeerRecord, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    const value = encodePeerRecord(record)
    try {
      await set(indexedDbPeerKey(record.peerId), value, this.db.use)
    } catch (err) {
      throw this.wrap(err, 'could not write a peer record')
    }
  }

  async delete (peerId: string, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    const key = indexedDbPeerKey(validatePeerIdString(peerId))
    try {
      await del(key, this.db.use)
    } catch (err) {
      throw this.wrap(err, 'could not delete a peer record')
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      await this.db.close()
    } catch (err) {
      throw new PeerStoreIoError('could not close the peer database', { cause: err })
    }
  }

  private assertUsable (options?: AbortOptions): void {
    options?.signal?.throwIfAborted()
    if (this.closed) throw new PeerStoreClosedError()
  }

  private wrap (err: unknown, message: string): Error {
    if (this.closed) return new PeerStoreClosedError(undefined, { cause: err })
    return new PeerStoreIoError(`${message} (IndexedDB database "${this.db.databaseName}")`, { cause: err })
  }
}

/**
 * Opens a {@link PeerStore} in IndexedDB.
 *
 * @throws {PeerStoreIoError} if the database cannot be opened
 */
export async function createIndexedDbPeerStore (init: IndexedDbPeerStoreInit): Promise<PeerStore> {
  const db = await openIndexedDb(init.databaseName, init.storeName ?? DEFAULT_INDEXEDDB_STORE_NAME)
  return new IndexedDbPeerStore(db, init.logger ?? silentLogger)
}
