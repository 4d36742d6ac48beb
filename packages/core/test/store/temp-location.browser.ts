/** A fresh place to keep a store in tests (browser: a new IndexedDB database name). */
import { promisifyRequest } from 'idb-keyval'
import type { TempLocation } from './temp-location.node.js'

export type { TempLocation }

export async function tempLocation (): Promise<TempLocation> {
  const location = `peermesh-test-${crypto.randomUUID()}`
  return { location, remove: async () => { await promisifyRequest(indexedDB.deleteDatabase(location)) } }
}
