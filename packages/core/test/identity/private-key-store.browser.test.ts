import { createStore, get, set } from 'idb-keyval'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PrivateKeyCorruptError } from '../../src/identity/errors.js'
import { PRIVATE_KEY_INDEXEDDB_KEY, loadOrCreatePrivateKey } from '../../src/identity/private-key-store.browser.js'
import { DEFAULT_INDEXEDDB_STORE_NAME } from '../../src/store/indexeddb-database.js'
import { createPersistentPeerStore } from '../../src/store/persistent-peer-store.browser.js'
import { newPeerId, peerRecord } from '../store/fixtures.js'
import { tempLocation, type TempLocation } from '../store/temp-location.browser.js'

describe('loadOrCreatePrivateKey in browsers', () => {
  let temp: TempLocation
  let raw: ReturnType<typeof createStore> | undefined

  beforeEach(async () => { temp = await tempLocation() })
  afterEach(async () => {
    await raw?.('readonly', (store) => { store.transaction.db.close() })
    raw = undefined
    await temp.remove()
  })

  it.each([
    ['garbage bytes', new Uint8Array([0xde, 0xad, 0xbe, 0xef])],
    ['a string instead of bytes', 'CAESQ…'],
    ['an empty byte array', new Uint8Array(0)]
  ])('refuses %s with PrivateKeyCorruptError and leaves the value untouched', async (_what, value) => {
    await loadOrCreatePrivateKey({ location: temp.location })
    raw = createStore(temp.location, DEFAULT_INDEXEDDB_STORE_NAME)
    await set(PRIVATE_KEY_INDEXEDDB_KEY, value, raw)
    await expect(loadOrCreatePrivateKey({ location: temp.location })).rejects.toBeInstanceOf(PrivateKeyCorruptError)
    await expect(get(PRIVATE_KEY_INDEXEDDB_KEY, raw)).resolves.toEqual(value)
  })

  it('shares one database with the peer store of the same location', async () => {
    const { privateKey } = await loadOrCreatePrivateKey({ location: temp.location })
    const store = await createPersistentPeerStore({ location: temp.location })
    const peerId = await newPeerId()
    await store.put(peerRecord(peerId))
    await expect(store.load()).resolves.toEqual({ records: [peerRecord(peerId)], skipped: 0 })
    await store.close()
    const again = await loadOrCreatePrivateKey({ location: temp.location })
    expect(again.created).toBe(false)
    expect(again.privateKey.equals(privateKey)).toBe(true)
  })
})
