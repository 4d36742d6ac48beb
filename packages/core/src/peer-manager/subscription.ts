/**
 * Peer status updates for protocols (PEX, gossip, the UI). Each subscriber has its own bounded
 * queue: when it is full the oldest update is dropped and counted, so a slow subscriber never
 * stalls the manager or other subscribers (a real CometBFT deadlock).
 */

/** A peer came up (connected and ready), went down, or was banned. */
export interface PeerUpdate {
  peerId: string
  status: 'up' | 'down' | 'banned'
  /** With `up`: the protocols the peer supports, as given to `ready()`. */
  protocols?: string[]
}

export interface SubscribeOptions {
  /**
   * Updates buffered for this subscriber before the oldest is dropped.
   *
   * @default 64
   */
  bufferSize?: number
}

/** An async iterable of updates; `close()` ends it. */
export interface PeerUpdateSubscription extends AsyncIterableIterator<PeerUpdate> {
  /** Updates waiting to be read. */
  readonly buffered: number
  /** Updates dropped because this subscriber fell behind. */
  readonly dropped: number
  readonly closed: boolean
  /** Stops delivery: buffered updates are discarded and pending reads end. Idempotent. */
  close(): void
}

export const DEFAULT_SUBSCRIPTION_BUFFER_SIZE = 64

export class BoundedPeerUpdateQueue implements PeerUpdateSubscription {
  private readonly capacity: number
  private readonly items: PeerUpdate[] = []
  private readonly readers: Array<(result: IteratorResult<PeerUpdate>) => void> = []
  private readonly onClose: (queue: BoundedPeerUpdateQueue) => void
  private droppedCount = 0
  private isClosed = false

  constructor (capacity: number, onClose: (queue: BoundedPeerUpdateQueue) => void) {
    this.capacity = Math.max(1, Math.floor(capacity))
    this.onClose = onClose
  }

  get buffered (): number { return this.items.length }
  get dropped (): number { return this.droppedCount }
  get closed (): boolean { return this.isClosed }

  /** Delivers `update`; returns false when an older update had to be dropped to make room. */
  push (update: PeerUpdate): boolean {
    if (this.isClosed) return true
    const reader = this.readers.shift()
    if (reader !== undefined) {
      reader({ done: false, value: copy(update) })
      return true
    }
    let kept = true
    if (this.items.length >= this.capacity) {
      this.items.shift()
      this.droppedCount++
      kept = false
    }
    this.items.push(copy(update))
    return kept
  }

  async next (): Promise<IteratorResult<PeerUpdate>> {
    const item = this.items.shift()
    if (item !== undefined) return { done: false, value: item }
    if (this.isClosed) return { done: true, value: undefined }
    return await new Promise(resolve => { this.readers.push(resolve) })
  }

  async return (): Promise<IteratorResult<PeerUpdate>> {
    this.close()
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<PeerUpdate> {
    return this
  }

  close (): void {
    if (this.isClosed) return
    this.isClosed = true
    this.items.length = 0
    for (const reader of this.readers.splice(0)) reader({ done: true, value: undefined })
    this.onClose(this)
  }
}

function copy (update: PeerUpdate): PeerUpdate {
  return update.protocols === undefined ? { ...update } : { ...update, protocols: [...update.protocols] }
}
