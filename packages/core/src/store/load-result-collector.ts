/**
 * Gathers the records an adapter reads in `load()`: good ones are kept, undecodable ones are
 * logged, counted in `skipped` and left where they are (an operator may want to inspect them;
 * deleting would lose data a newer build could read).
 */
import type { Logger } from '../logger.js'
import type { PeerRecord, PeerStoreLoadResult } from './peer-store.js'

/** Longest stored key quoted in a warning, so that a hostile key cannot flood the log. */
const MAX_LOGGED_KEY_LENGTH = 160

export class LoadResultCollector {
  private readonly records: PeerRecord[] = []
  private skipped = 0

  constructor (private readonly logger: Logger, private readonly adapter: string) {}

  /** Decodes one stored entry with `decode`; a throw means "skip it". */
  add (key: string, decode: () => PeerRecord): void {
    try {
      this.records.push(decode())
    } catch (err) {
      this.skipped++
      this.logger.warn('peer store: skipping a stored record that could not be decoded', {
        adapter: this.adapter,
        key: key.length > MAX_LOGGED_KEY_LENGTH ? `${key.slice(0, MAX_LOGGED_KEY_LENGTH)}…` : key,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      })
    }
  }

  /** Counts an entry that could not even be read as a key/value pair. */
  skip (key: string, reason: string): void {
    this.add(key, () => { throw new TypeError(reason) })
  }

  result (): PeerStoreLoadResult {
    return { records: this.records, skipped: this.skipped }
  }
}
