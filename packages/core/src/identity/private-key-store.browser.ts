/**
 * The node's private key in browsers: its protobuf bytes (`privateKeyToProtobuf`) under the key
 * `identity/private-key` of the node's IndexedDB database, named by `location` (the same
 * database the peer store may use). Swapped in for `private-key-store.node.js` by the
 * package.json `browser` map.
 *
 * Creation is one read-write transaction that writes only if no key is there yet, so two tabs
 * starting at once end up with the same identity.
 */
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { del, get } from 'idb-keyval'
import { silentLogger } from '../logger.js'
import { openIndexedDb, type IndexedDbHandle } from '../store/indexeddb-database.js'
import { PrivateKeyCorruptError, PrivateKeyStoreIoError } from './errors.js'
import { decodeStoredPrivateKey, type LoadedPrivateKey, type PrivateKeyStoreInit } from './private-key-store-init.js'

export type { LoadedPrivateKey, PrivateKeyStoreInit }

/** The IndexedDB key holding the private key. */
export const PRIVATE_KEY_INDEXEDDB_KEY = 'identity/private-key'

async function withDatabase<T> (location: string, fn: (db: IndexedDbHandle) => Promise<T>): Promise<T> {
  let db: IndexedDbHandle
  try {
    db = await openIndexedDb(location)
  } catch (err) {
    throw new PrivateKeyStoreIoError(`could not open IndexedDB database "${location}"`, location, { cause: err })
  }
  try {
    return await fn(db)
  } finally {
    await db.close().catch(() => {})
  }
}

function decode (value: unknown, location: string): PrivateKey {
  if (!(value instanceof Uint8Array)) {
    throw new PrivateKeyCorruptError('the stored private key is not a byte array', location)
  }
  return decodeStoredPrivateKey(value, location)
}

/** Stores `bytes` unless a value is already there; resolves to what is stored afterwards. */
async function putIfAbsent (db: IndexedDbHandle, bytes: Uint8Array): Promise<unknown> {
  return db.use('readwrite', async (store) => new Promise<unknown>((resolve, reject) => {
    let stored: unknown
    const read = store.get(PRIVATE_KEY_INDEXEDDB_KEY)
    read.onsuccess = () => {
      stored = read.result
      if (stored === undefined) {
        stored = bytes
        store.add(bytes, PRIVATE_KEY_INDEXEDDB_KEY)
      }
    }
    store.transaction.oncomplete = () => { resolve(stored) }
    store.transaction.onerror = store.transaction.onabort = () => { reject(store.transaction.error) }
  }))
}

/**
 * Loads the node's private key from the IndexedDB database `location`, or creates and stores an
 * Ed25519 key there if none is stored.
 *
 * @throws {PrivateKeyCorruptError} if a stored value is not a key (it is left untouched)
 * @throws {PrivateKeyStoreIoError} if IndexedDB fails
 */
export async function loadOrCreatePrivateKey (init: PrivateKeyStoreInit): Promise<LoadedPrivateKey> {
  const { location } = init
  return withDatabase(location, async (db) => {
    let existing: unknown
    try {
      existing = await get(PRIVATE_KEY_INDEXEDDB_KEY, db.use)
    } catch (err) {
      throw new PrivateKeyStoreIoError('could not read the private key', location, { cause: err })
    }
    if (existing !== undefined) return { privateKey: decode(existing, location), created: false }

    const privateKey = await generateKeyPair('Ed25519')
    const bytes = privateKeyToProtobuf(privateKey)
    let stored: unknown
    try {
      stored = await putIfAbsent(db, bytes)
    } catch (err) {
      throw new PrivateKeyStoreIoError('could not store the private key', location, { cause: err })
    }
    if (stored !== bytes) return { privateKey: decode(stored, location), created: false }
    ;(init.logger ?? silentLogger).info('created a new private key', { location, peerId: peerIdFromPrivateKey(privateKey).toString() })
    return { privateKey, created: true }
  })
}

/**
 * Deletes the stored key, so that the next {@link loadOrCreatePrivateKey} creates a new
 * identity. Forgetting a key that does not exist is fine.
 *
 * @throws {PrivateKeyStoreIoError}
 */
export async function forgetPrivateKey (init: Pick<PrivateKeyStoreInit, 'location'>): Promise<void> {
  const { location } = init
  await withDatabase(location, async (db) => {
    try {
      await del(PRIVATE_KEY_INDEXEDDB_KEY, db.use)
    } catch (err) {
      throw new PrivateKeyStoreIoError('could not delete the private key', location, { cause: err })
    }
  })
}
