/**
 * A peer store on disk for Node.js: LevelDB through `classic-level`. Node only: never import this
 * from code that runs in a browser (use `createPersistentPeerStore` from
 * `persistent-peer-store.node.js`, which the `browser` map swaps for IndexedDB).
 *
 * Layout: each record is UTF-8 JSON ({@link encodePeerRecord}) under the key `peer/<peerId>`.
 * The store either opens its own database (`location`) or uses one the caller owns (`db`, for
 * example a sublevel of the node's one database), so that other data can share the database.
 *
 * Durability: a `put()` resolves after LevelDB has appended it to its write-ahead log with a
 * `write(2)`, so it survives the process being killed (even `kill -9`); it survives a power cut
 * or a kernel crash only with `sync: true`, at the price of an fsync per write.
 *
 * @example
 * ```ts
 * const store = await createLevelPeerStore({ location: join(dataDir, 'db') })
 * const { records, skipped } = await store.load()
 * ```
 */
import type { AbortOptions } from '@libp2p/interface'
import { ClassicLevel } from 'classic-level'
import { silentLogger, type Logger } from '../logger.js'
import { PeerStoreClosedError, PeerStoreIoError } from './errors.js'
import { LoadResultCollector } from './load-result-collector.js'
import { decodePeerRecord, encodePeerRecord, validatePeerIdString } from './peer-record-codec.js'
import type { PeerRecord, PeerStore, PeerStoreLoadResult } from './peer-store.js'

/** Every peer record key starts with this. */
export const LEVEL_PEER_KEY_PREFIX = 'peer/'

/** The first key after every `peer/…` key ('0' follows '/' in UTF-8). */
const PEER_KEY_RANGE_END = 'peer0'

/** The LevelDB key of a peer's record. */
export function levelPeerKey (peerId: string): string {
  return `${LEVEL_PEER_KEY_PREFIX}${peerId}`
}

/**
 * What the store needs of a LevelDB database: a `ClassicLevel` or a sublevel of one (any default
 * encodings; the store always asks for UTF-8 strings).
 */
export interface LevelDatabase {
  open(): Promise<void>
  close(): Promise<void>
  put(key: string, value: string, options: LevelWriteOptions): Promise<void>
  del(key: string, options: LevelWriteOptions): Promise<void>
  iterator(options: LevelRangeOptions): AsyncIterable<[unknown, unknown]>
}

interface LevelWriteOptions {
  keyEncoding: 'utf8'
  valueEncoding?: 'utf8'
  /** Honoured by `classic-level`; a sublevel passes it on to its parent. */
  sync?: boolean
}

interface LevelRangeOptions {
  gte: string
  lt: string
  keyEncoding: 'utf8'
  valueEncoding: 'utf8'
}

interface LevelPeerStoreCommonInit {
  /**
   * Receives a warning for every record skipped by `load()`.
   *
   * @default silentLogger
   */
  logger?: Logger
  /**
   * fsync every write, so that it also survives a power cut or a kernel crash (the process being
   * killed is survived either way).
   *
   * @default false
   */
  sync?: boolean
}

/** Open (and own) the LevelDB database in this directory; `close()` closes it. */
export interface LevelPeerStoreLocationInit extends LevelPeerStoreCommonInit {
  /** Directory of the LevelDB database, created if missing. */
  location: string
  db?: undefined
}

/** Use a database the caller opened and owns (or a sublevel of it); `close()` leaves it open. */
export interface LevelPeerStoreDatabaseInit extends LevelPeerStoreCommonInit {
  db: LevelDatabase
  location?: undefined
}

export type LevelPeerStoreInit = LevelPeerStoreLocationInit | LevelPeerStoreDatabaseInit

const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const

class LevelPeerStore implements PeerStore {
  private closed = false

  constructor (
    private readonly db: LevelDatabase,
    private readonly ownsDb: boolean,
    private readonly logger: Logger,
    private readonly sync: boolean
  ) {}

  async load (options?: AbortOptions): Promise<PeerStoreLoadResult> {
    this.assertUsable(options)
    const collector = new LoadResultCollector(this.logger, 'level')
    try {
      for await (const [key, value] of this.db.iterator({ gte: LEVEL_PEER_KEY_PREFIX, lt: PEER_KEY_RANGE_END, ...UTF8 })) {
        options?.signal?.throwIfAborted()
        const k = String(key)
        collector.add(k, () => decodePeerRecord(String(value), k.slice(LEVEL_PEER_KEY_PREFIX.length)))
      }
    } catch (err) {
      throw this.wrap(err, 'could not read the peer records')
    }
    return collector.result()
  }

  async put (record: PeerRecord, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    const value = encodePeerRecord(record)
    try {
      await this.db.put(levelPeerKey(record.peerId), value, { ...UTF8, sync: this.sync })
    } catch (err) {
      throw this.wrap(err, 'could not write a peer record')
    }
  }

  async delete (peerId: string, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    const key = levelPeerKey(validatePeerIdString(peerId))
    try {
      await this.db.del(key, { keyEncoding: 'utf8', sync: this.sync })
    } catch (err) {
      throw this.wrap(err, 'could not delete a peer record')
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsDb) {
      try {
        await this.db.close()
      } catch (err) {
        throw new PeerStoreIoError('could not close the peer database', { cause: err })
      }
    }
  }

  private assertUsable (options?: AbortOptions): void {
    options?.signal?.throwIfAborted()
    if (this.closed) throw new PeerStoreClosedError()
  }

  private wrap (err: unknown, message: string): Error {
    if (err instanceof Error && err.name === 'AbortError') return err
    if (this.closed) return new PeerStoreClosedError(undefined, { cause: err })
    return new PeerStoreIoError(message, { cause: err })
  }
}

/**
 * Opens a {@link PeerStore} in LevelDB.
 *
 * @throws {PeerStoreIoError} if the database cannot be opened (for example another process holds its lock)
 */
export async function createLevelPeerStore (init: LevelPeerStoreInit): Promise<PeerStore> {
  const logger = init.logger ?? silentLogger
  const sync = init.sync ?? false
  if (init.db !== undefined) {
    try {
      await init.db.open()
    } catch (err) {
      throw new PeerStoreIoError('could not open the given peer database', { cause: err })
    }
    return new LevelPeerStore(init.db, false, logger, sync)
  }
  const db = new ClassicLevel<string, string>(init.location, UTF8)
  try {
    await db.open()
  } catch (err) {
    throw new PeerStoreIoError(`could not open the peer database at ${init.location}`, { cause: err })
  }
  return new LevelPeerStore(db, true, logger, sync)
}
