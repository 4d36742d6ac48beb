import type { Logger } from '../logger.js'

/** Options of `createPersistentPeerStore`, the same in both runtimes. */
export interface PersistentPeerStoreInit {
  /** Node.js: the LevelDB directory (created if missing). Browser: the IndexedDB database name. */
  location: string
  /**
   * Receives a warning for every record skipped by `load()`.
   *
   * @default silentLogger
   */
  logger?: Logger
}
