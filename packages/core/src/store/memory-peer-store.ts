/**
 * A peer store held in memory: for tests, for nodes that should forget everything on restart,
 * and as the reference implementation of the {@link PeerStore} contract. Runs in Node and in
 * browsers.
 *
 * Records are validated and stored as structured clones, so a caller mutating a record after
 * `put()` or after `load()` never changes what is stored.
 *
 * @example
 * ```ts
 * const entries = new Map<string, unknown>()
 * const store = createMemoryPeerStore({ entries })
 * await store.put(record)
 * await store.close()
 * const reopened = createMemoryPeerStore({ entries }) // "reopen": same backing map
 * const { records } = await reopened.load()
 * ```
 */
import { silentLogger, type Logger } from '../logger.js'
import type { AbortOptions } from '@libp2p/interface'
import { PeerStoreClosedError } from './errors.js'
import { LoadResultCollector } from './load-result-collector.js'
import { decodeClonedPeerRecord, validatePeerIdString, validatePeerRecord } from './peer-record-codec.js'
import type { PeerRecord, PeerStore, PeerStoreLoadResult } from './peer-store.js'

export interface MemoryPeerStoreInit {
  /**
   * Where records live, keyed by PeerId string. Pass the same map to a new store to simulate a
   * restart; values are whatever was stored (anything that is not a valid record is skipped on
   * `load()`).
   *
   * @default a new, empty Map
   */
  entries?: Map<string, unknown>
  /**
   * Receives a warning for every record skipped by `load()`.
   *
   * @default silentLogger
   */
  logger?: Logger
}

class MemoryPeerStore implements PeerStore {
  private readonly entries: Map<string, unknown>
  private readonly logger: Logger
  private closed = false

  constructor (init: MemoryPeerStoreInit) {
    this.entries = init.entries ?? new Map()
    this.logger = init.logger ?? silentLogger
  }

  async load (options?: AbortOptions): Promise<PeerStoreLoadResult> {
    this.assertUsable(options)
    const collector = new LoadResultCollector(this.logger, 'memory')
    for (const [key, value] of this.entries) {
      collector.add(key, () => decodeClonedPeerRecord(structuredClone(value), key))
    }
    return collector.result()
  }

  async put (record: PeerRecord, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    const valid = validatePeerRecord(record)
    this.entries.set(valid.peerId, valid)
  }

  async delete (peerId: string, options?: AbortOptions): Promise<void> {
    this.assertUsable(options)
    this.entries.delete(validatePeerIdString(peerId))
  }

  async close (): Promise<void> {
    this.closed = true
  }

  private assertUsable (options?: AbortOptions): void {
    options?.signal?.throwIfAborted()
    if (this.closed) throw new PeerStoreClosedError()
  }
}

/** Creates a {@link PeerStore} that keeps structured clones of its records in a Map. */
export function createMemoryPeerStore (init: MemoryPeerStoreInit = {}): PeerStore {
  return new MemoryPeerStore(init)
}
