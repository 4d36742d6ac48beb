/**
 * Write-through persistence that never blocks the manager: a change only marks a peer dirty;
 * one background task writes dirty peers one at a time, each as its state is *at write time*
 * (so a burst of changes to one peer costs one write). A peer that no longer exists is deleted.
 * A store error is logged and counted, never thrown into the caller. `flush()` resolves once
 * every change made before it is written (or has failed).
 */
import type { Logger } from '../logger.js'
import type { PeerRecord, PeerStore } from '../store/peer-store.js'

export class StoreWriter {
  private readonly store: PeerStore
  private readonly snapshot: (peerId: string) => PeerRecord | undefined
  private readonly logger: Logger
  private readonly dirty = new Set<string>()
  private running: Promise<void> | undefined
  /** Writes (put or delete) that failed. */
  errors = 0
  /** Writes done. */
  writes = 0

  constructor (store: PeerStore, snapshot: (peerId: string) => PeerRecord | undefined, logger: Logger) {
    this.store = store
    this.snapshot = snapshot
    this.logger = logger
  }

  /** Peers waiting to be written. */
  get pending (): number {
    return this.dirty.size
  }

  /** Marks `peerId` for writing (or deleting, if it is gone by then). */
  schedule (peerId: string): void {
    this.dirty.add(peerId)
    this.running ??= this.run()
  }

  async flush (): Promise<void> {
    while (this.running !== undefined) await this.running
  }

  private async run (): Promise<void> {
    // Let the synchronous manager call that scheduled us finish its changes first.
    await Promise.resolve()
    try {
      for (;;) {
        const next = this.dirty.values().next()
        if (next.done === true) return
        const peerId = next.value
        this.dirty.delete(peerId)
        await this.write(peerId)
      }
    } finally {
      this.running = undefined
    }
  }

  private async write (peerId: string): Promise<void> {
    const record = this.snapshot(peerId)
    try {
      if (record === undefined) await this.store.delete(peerId)
      else await this.store.put(record)
      this.writes++
    } catch (err) {
      this.errors++
      this.logger.warn('peer store write failed', { peerId, op: record === undefined ? 'delete' : 'put', error: err })
    }
  }
}
