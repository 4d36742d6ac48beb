/**
 * How much of the address book one source may fill (Bitcoin Core's addrman buckets new addresses
 * by the group of the peer that told us; we keep a bounded ledger instead of buckets). I/O-free:
 * the time comes from the injected clock, the book's view of a peer from a callback.
 *
 * A source is the peer that answered one of our peer-exchange requests, keyed by its address
 * group (`addressGroup()`: the /24, the /48, the relay) when the driver knows a public address
 * for it, else by its peer ID (loopback, private and in-memory addresses name no owner: every
 * local peer would share one group). The ledger remembers, per source, the peers it introduced
 * that are still "new" (gossip-learnt, never connected). Once a source holds its cap, further new
 * addresses from it are dropped and counted, until some of its entries leave: the book no longer
 * holds the peer, the peer was connected ("tried": it stops counting against anybody and is never
 * evicted to make room), or the entry is older than `ttlMs`.
 *
 * The cap is `min(maxPerSource, floor(maxShare × capacity))`, at least 1.
 */
import { addressGroup, isLoopbackAddress, isPrivateAddress, isRelayedAddress, type NodeAddress } from '../address/index.js'
import type { Clock } from '../clock.js'

/**
 * The source key of an answer from `remote` reached at `address` (the connection's remote
 * address, if the driver has one): `group:<addressGroup>` for a public IP address, else
 * `peer:<remote>` (loopback, private, in-memory, DNS and relayed addresses name no owner).
 */
export function pexSourceOf (remote: string, address: NodeAddress | undefined): string {
  if (address === undefined || isRelayedAddress(address) || isLoopbackAddress(address) || isPrivateAddress(address)) return `peer:${remote}`
  if (address.hostType !== 'ip4' && address.hostType !== 'ip6') return `peer:${remote}`
  return `group:${addressGroup(address)}`
}

/** What the book says of a peer the ledger counts: still new, tried (connected), or gone. */
export type PexBookPeerStatus = 'new' | 'tried' | 'gone'

export interface PexSourceShareInit {
  clock: Clock
  /** Share of the book's capacity one source may fill with new peers, in (0, 1]. */
  maxShare: number
  /** Absolute cap per source (for very large or unlimited books). */
  maxPerSource: number
  /** An entry stops counting after this long even when the book cannot tell. */
  ttlMs: number
  /** The book's view of a counted peer; without it entries leave only by age. */
  status?: (peerId: string) => PexBookPeerStatus
  /**
   * Most entries the ledger holds over all sources: above it every source is swept, and then the
   * oldest entries are forgotten (memory stays bounded whatever the book says).
   */
  maxEntries: number
}

export class PexSourceShare {
  readonly #init: PexSourceShareInit
  /** source → peer ID → when it was learnt from that source */
  readonly #bySource = new Map<string, Map<string, number>>()
  /** peer ID → the source that first introduced it (a peer counts against one source only) */
  readonly #sourceOf = new Map<string, string>()

  constructor (init: PexSourceShareInit) {
    this.#init = init
  }

  /** The cap for a book of `capacity` peers (0 or non-finite: unlimited). */
  capFor (capacity: number): number {
    const { maxShare, maxPerSource } = this.#init
    if (!Number.isFinite(capacity) || capacity <= 0) return maxPerSource
    return Math.max(1, Math.min(maxPerSource, Math.floor(maxShare * capacity)))
  }

  /** New peers `source` holds now (after forgetting entries that left). */
  held (source: string): number {
    this.#sweep(source)
    return this.#bySource.get(source)?.size ?? 0
  }

  /** True when `source` may add one more new peer to a book of `capacity`. */
  admits (source: string, capacity: number): boolean {
    const cap = this.capFor(capacity)
    const entries = this.#bySource.get(source)
    if (entries === undefined || entries.size < cap) return true
    this.#sweep(source)
    return (this.#bySource.get(source)?.size ?? 0) < cap
  }

  /** `peerId` was added to the book as new, on `source`'s word. */
  record (source: string, peerId: string): void {
    if (this.#sourceOf.has(peerId)) return
    let entries = this.#bySource.get(source)
    if (entries === undefined) {
      entries = new Map()
      this.#bySource.set(source, entries)
    }
    entries.set(peerId, this.#init.clock.now())
    this.#sourceOf.set(peerId, source)
    if (this.#sourceOf.size > this.#init.maxEntries) this.#shrink()
  }

  /** Entries over all sources. */
  size (): number {
    return this.#sourceOf.size
  }

  /** Sources in the ledger (for tests and stats). */
  sources (): number {
    return this.#bySource.size
  }

  clear (): void {
    this.#bySource.clear()
    this.#sourceOf.clear()
  }

  #shrink (): void {
    for (const source of [...this.#bySource.keys()]) this.#sweep(source)
    // Map order is insertion order: the oldest entries go first
    for (const [peerId, source] of this.#sourceOf) {
      if (this.#sourceOf.size <= this.#init.maxEntries) break
      this.#sourceOf.delete(peerId)
      const entries = this.#bySource.get(source)
      entries?.delete(peerId)
      if (entries?.size === 0) this.#bySource.delete(source)
    }
  }

  #sweep (source: string): void {
    const entries = this.#bySource.get(source)
    if (entries === undefined) return
    const now = this.#init.clock.now()
    const status = this.#init.status
    for (const [peerId, at] of entries) {
      let leaves = now - at >= this.#init.ttlMs
      if (!leaves && status !== undefined) {
        try {
          leaves = status(peerId) !== 'new'
        } catch {
          leaves = false
        }
      }
      if (leaves) {
        entries.delete(peerId)
        this.#sourceOf.delete(peerId)
      }
    }
    if (entries.size === 0) this.#bySource.delete(source)
  }
}
