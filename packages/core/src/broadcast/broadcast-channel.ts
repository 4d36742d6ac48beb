/**
 * A broadcast channel on gossipsub (duplicate suppression, mesh forwarding and peer scoring come
 * from gossipsub; we add size limits, validation and a bounded "seen" set so every message is
 * delivered to the app exactly once).
 */
import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { systemClock, type Clock } from '../clock.js'
import type { BroadcastMessage } from '../vocabulary.js'
import { BroadcastText } from './broadcast.pb.js'

export const BROADCAST_TOPIC = 'peermesh/broadcast/1'

export class BroadcastTooLargeError extends Error {
  override name = 'BroadcastTooLargeError'
}

export interface BroadcastChannelOptions {
  /** Characters per message. @default 2000 */
  maxTextLength: number
  /** Message ids remembered for exactly-once delivery. @default 2048 */
  seenCacheSize: number
}

export const defaultBroadcastChannelOptions: BroadcastChannelOptions = {
  maxTextLength: 2000,
  seenCacheSize: 2048
}

export interface BroadcastChannelComponents {
  pubsub: GossipSub
  selfId: string
  clock?: Clock
}

export class BroadcastChannel {
  private readonly c: BroadcastChannelComponents
  private readonly clock: Clock
  private readonly options: BroadcastChannelOptions
  private readonly seen = new Set<string>()
  private readonly listeners = new Set<(message: BroadcastMessage) => void>()
  private running = false
  readonly stats = { sent: 0, received: 0, rejected: 0, duplicates: 0 }

  constructor (components: BroadcastChannelComponents, options: Partial<BroadcastChannelOptions> = {}) {
    this.c = components
    this.clock = components.clock ?? systemClock
    this.options = { ...defaultBroadcastChannelOptions, ...options }
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.c.pubsub.topicValidators.set(BROADCAST_TOPIC, this.validate)
    this.c.pubsub.addEventListener('message', this.handleMessage)
    this.c.pubsub.subscribe(BROADCAST_TOPIC)
  }

  stop (): void {
    if (!this.running) return
    this.running = false
    this.c.pubsub.removeEventListener('message', this.handleMessage)
    this.c.pubsub.topicValidators.delete(BROADCAST_TOPIC)
  }

  onMessage (listener: (message: BroadcastMessage) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Publishes `text` to the mesh; the local listeners get it too, with `self: true`. */
  async send (text: string): Promise<BroadcastMessage> {
    if (text.length > this.options.maxTextLength) {
      throw new BroadcastTooLargeError(`message has ${text.length} characters; the limit is ${this.options.maxTextLength}`)
    }
    const sentAt = this.clock.now()
    const data = BroadcastText.encode({ text, sentAt: BigInt(sentAt) })
    const id = `${this.c.selfId}:${sentAt}:${Math.random().toString(36).slice(2)}`
    // gossipsub is configured with allowPublishToZeroTopicPeers, so a lonely node can still post
    await this.c.pubsub.publish(BROADCAST_TOPIC, data)
    this.stats.sent++
    const message: BroadcastMessage = { id, from: this.c.selfId, text, sentAt, self: true }
    this.deliver(message)
    return message
  }

  private readonly validate = (_peer: PeerId, message: Message): TopicValidatorResult => {
    if (message.type !== 'signed' || this.decode(message.data) == null) {
      this.stats.rejected++
      return TopicValidatorResult.Reject
    }
    return TopicValidatorResult.Accept
  }

  private decode (data: Uint8Array): BroadcastText | undefined {
    if (data.byteLength > this.options.maxTextLength * 4 + 32) return undefined
    try {
      const decoded = BroadcastText.decode(data)
      return decoded.text.length <= this.options.maxTextLength ? decoded : undefined
    } catch {
      return undefined
    }
  }

  private readonly handleMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== BROADCAST_TOPIC || message.type !== 'signed') return
    const from = message.from.toString()
    if (from === this.c.selfId) return
    const decoded = this.decode(message.data)
    if (decoded == null) return
    const id = `${from}:${message.sequenceNumber.toString()}`
    this.stats.received++
    this.deliver({ id, from, text: decoded.text, sentAt: Number(decoded.sentAt), self: false })
  }

  private deliver (message: BroadcastMessage): void {
    if (this.seen.has(message.id)) {
      this.stats.duplicates++
      return
    }
    this.seen.add(message.id)
    if (this.seen.size > this.options.seenCacheSize) {
      const oldest = this.seen.values().next().value
      if (oldest != null) this.seen.delete(oldest)
    }
    for (const listener of this.listeners) listener(message)
  }
}
