import { createMemoryPeerStore } from '../../src/store/memory-peer-store.js'
import { describePeerStoreCompliance } from './peer-store-compliance.js'

describePeerStoreCompliance('memory', async () => {
  const entries = new Map<string, unknown>()
  return {
    persistent: true,
    open: async (logger) => createMemoryPeerStore(logger === undefined ? { entries } : { entries, logger }),
    writeRaw: async (peerId, value) => {
      // The memory store keeps structured clones: store what JSON.parse makes of it, or the raw string.
      let clone: unknown
      try { clone = JSON.parse(value) } catch { clone = value }
      entries.set(peerId, clone)
    },
    destroy: async () => { entries.clear() }
  }
})
