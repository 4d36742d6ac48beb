/**
 * The one IndexedDB database a browser node keeps its data in, reached through `idb-keyval`.
 * Browser only. Peer records live under `peer/<peerId>` and the node's private key under
 * `identity/private-key`, in one object store, so that one database name holds one node.
 *
 * `idb-keyval` creates the object store only when it creates the database: a database of that
 * name made by another program, without our object store, is reported as an error rather than
 * silently written around.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval'
import { PeerStoreIoError } from './errors.js'

/** The object store inside the database. */
export const DEFAULT_INDEXEDDB_STORE_NAME = 'peermesh'

/** An open handle on the node's object store. */
export interface IndexedDbHandle {
  readonly databaseName: string
  readonly use: UseStore
  /** Closes the connection once running transactions finish. */
  close(): Promise<void>
}

/**
 * Opens (creating if needed) `databaseName` and checks that its object store is there. The
 * connection closes itself when another tab deletes or upgrades the database, so that it never
 * blocks them; later operations then fail with an error.
 *
 * @throws {PeerStoreIoError} if the database cannot be opened or lacks the object store
 */
export async function openIndexedDb (databaseName: string, storeName = DEFAULT_INDEXEDDB_STORE_NAME): Promise<IndexedDbHandle> {
  await checkObjectStore(databaseName, storeName)
  const use = createStore(databaseName, storeName)
  try {
    await use('readonly', (store) => {
      const db = store.transaction.db
      db.onversionchange = () => { db.close() }
    })
  } catch (err) {
    throw new PeerStoreIoError(`could not open IndexedDB database "${databaseName}" (object store "${storeName}")`, { cause: err })
  }
  return {
    databaseName,
    use,
    close: async () => {
      await use('readonly', (store) => { store.transaction.db.close() })
    }
  }
}

/**
 * Opens `databaseName` once on our own connection (creating it with our object store if it is
 * new, as `idb-keyval` would) to check that the object store exists, then closes it. Checking
 * through `idb-keyval` instead would leave its cached connection open on failure, blocking any
 * later deletion of the database.
 */
async function checkObjectStore (databaseName: string, storeName: string): Promise<void> {
  let db: IDBDatabase
  try {
    const request = indexedDB.open(databaseName)
    request.onupgradeneeded = () => { request.result.createObjectStore(storeName) }
    db = await promisifyRequest(request)
  } catch (err) {
    throw new PeerStoreIoError(`could not open IndexedDB database "${databaseName}"`, { cause: err })
  }
  const present = db.objectStoreNames.contains(storeName)
  db.close()
  if (!present) {
    throw new PeerStoreIoError(`IndexedDB database "${databaseName}" exists without the object store "${storeName}"; it belongs to something else`)
  }
}
