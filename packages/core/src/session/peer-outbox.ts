/**
 * A bounded, prioritised outbound queue for one peer, drained by its own writer (dash-spv's
 * lesson: the writer for a peer is separate from its reader, so a slow inbound handler never
 * delays what we send). When full, the oldest message of the lowest priority present is dropped
 * and counted; `enqueue` never blocks.
 */

/** Higher numbers are sent first and dropped last. */
export enum OutboxPriority {
  Bulk = 0,
  Normal = 1,
  Control = 2
}

export interface PeerOutboxOptions {
  /** Messages waiting at once. @default 64 */
  maxQueuedMessages: number
  /** Bytes waiting at once. @default 262144 */
  maxQueuedBytes: number
}

export const defaultPeerOutboxOptions: PeerOutboxOptions = {
  maxQueuedMessages: 64,
  maxQueuedBytes: 256 * 1024
}

interface Entry {
  bytes: Uint8Array
  priority: OutboxPriority
  sent?: () => void
}

export class PeerOutbox {
  private readonly queues: Entry[][] = [[], [], []]
  private readonly options: PeerOutboxOptions
  private queuedBytes = 0
  private wake?: () => void
  private closing = false
  /** Messages dropped because the queue was full. */
  drops = 0
  /** Messages written. */
  written = 0

  constructor (options: Partial<PeerOutboxOptions> = {}) {
    this.options = { ...defaultPeerOutboxOptions, ...options }
  }

  /** Whether {@link close} was called: the writer is finishing on purpose. */
  get closed (): boolean {
    return this.closing
  }

  get size (): number {
    return this.queues.reduce((n, q) => n + q.length, 0)
  }

  /**
   * Queues `bytes`; returns false when it was dropped (too big, closed, or the queue is full of
   * messages of higher priority). `sent` is called once the writer has written it.
   */
  enqueue (bytes: Uint8Array, priority: OutboxPriority = OutboxPriority.Normal, sent?: () => void): boolean {
    if (this.closing || bytes.byteLength > this.options.maxQueuedBytes) {
      this.drops++
      return false
    }
    while (this.size >= this.options.maxQueuedMessages || this.queuedBytes + bytes.byteLength > this.options.maxQueuedBytes) {
      if (!this.dropOneBelowOrAt(priority)) {
        this.drops++
        return false
      }
    }
    this.queues[priority]?.push({ bytes, priority, ...(sent != null ? { sent } : {}) })
    this.queuedBytes += bytes.byteLength
    this.wake?.()
    return true
  }

  private dropOneBelowOrAt (priority: OutboxPriority): boolean {
    for (let p = 0; p <= priority; p++) {
      const dropped = this.queues[p]?.shift()
      if (dropped != null) {
        this.queuedBytes -= dropped.bytes.byteLength
        this.drops++
        return true
      }
    }
    return false
  }

  private next (): Entry | undefined {
    for (let p = this.queues.length - 1; p >= 0; p--) {
      const entry = this.queues[p]?.shift()
      if (entry != null) {
        this.queuedBytes -= entry.bytes.byteLength
        return entry
      }
    }
    return undefined
  }

  /**
   * The writer: takes messages in priority order and hands each to `write` (which applies the
   * stream's backpressure), until the outbox is closed or `signal` aborts.
   */
  async run (write: (bytes: Uint8Array) => Promise<void>, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const entry = this.next()
      if (entry == null) {
        if (this.closing) return
        await new Promise<void>(resolve => {
          this.wake = resolve
          signal.addEventListener('abort', () => { resolve() }, { once: true })
        })
        this.wake = undefined
        continue
      }
      await write(entry.bytes)
      this.written++
      entry.sent?.()
    }
  }

  /** No more messages are accepted; the writer finishes what is queued, then returns. */
  close (): void {
    this.closing = true
    this.wake?.()
  }
}
