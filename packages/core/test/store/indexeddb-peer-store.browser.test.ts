import { createStore, promisifyRequest, set } from 'idb-keyval'
import { describe, expect, it } from 'vitest'
import { PeerStoreIoError } from '../../src/store/errors.js'
import { DEFAULT_INDEXEDDB_STORE_NAME } from '../../src/store/indexeddb-database.js'
import { createIndexedDbPeerStore, indexedDbPeerKey } from '../../src/store/indexeddb-peer-store.js'
import { describePeerStoreCompliance } from './peer-store-compliance.js'
import { newPeerId, peerRecord } from './fixtures.js'

async function deleteDatabase (name: string): Promise<void> {
  await promisifyRequest(indexedDB.deleteDatabase(name))
}

describePeerStoreCompliance('IndexedDB', async () => {
  const databaseName = `peermesh-test-${crypto.randomUUID()}`
  // A second connection, as another tab or an older build would have.
  const raw = createStore(databaseName, DEFAULT_INDEXEDDB_STORE_NAME)
  return {
    persistent: true,
    open: async (logger) => createIndexedDbPeerStore(logger === undefined ? { databaseName } : { databaseName, logger }),
    writeRaw: async (peerId, value) => { await set(indexedDbPeerKey(peerId), value, raw) },
    destroy: async () => {
      await raw('readonly', (store) => { store.transaction.db.close() })
      await deleteDatabase(databaseName)
    }
  }
})

describe('createIndexedDbPeerStore', () => {
  it('skips a stored value that is not even a string', async () => {
    const databaseName = `peermesh-test-${crypto.randomUUID()}`
    const store = await createIndexedDbPeerStore({ databaseName })
    const raw = createStore(databaseName, DEFAULT_INDEXEDDB_STORE_NAME)
    const peerId = await newPeerId()
    await set(indexedDbPeerKey(peerId), { ...peerRecord(peerId) }, raw)
    await set('identity/private-key', new Uint8Array([1, 2, 3]), raw)
    await expect(store.load()).resolves.toEqual({ records: [], skipped: 1 })
    await store.close()
    await raw('readonly', (s) => { s.transaction.db.close() })
    await deleteDatabase(databaseName)
  })

  it('fails with PeerStoreIoError on a database of that name made without its object store', async () => {
    const databaseName = `peermesh-test-${crypto.randomUUID()}`
    const foreign = createStore(databaseName, 'someone-else')
    await set('x', 1, foreign)
    await foreign('readonly', (s) => { s.transaction.db.close() })
    await expect(createIndexedDbPeerStore({ databaseName })).rejects.toBeInstanceOf(PeerStoreIoError)
    await deleteDatabase(databaseName)
  })
})
