/**
 * Asks each connected peer for addresses again and again, at the adaptive interval of
 * {@link nextPexRequestDelayMs}, on the injected clock. The router calls `start(peer)` when a
 * connection to a peer is up and `stop(peer)` when the last one closes.
 *
 * Per peer there is at most one timer or one request in flight, never both: the next delay is
 * computed when a request settles, from what it added. `stop()` cancels the timer and aborts the
 * request in flight; `stopAll()` leaves no timer behind.
 */
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Clock, Random, TimerHandle } from '../clock.js'
import type { PeerExchangeBook } from './book.js'
import type { PeerExchangeOptions } from './options.js'
import { PexSchedulerStoppedError } from './errors.js'
import { jitterDelayMs, nextPexRequestDelayMs } from './request-delay.js'

/** The outcome of one request that the scheduler needs. */
export interface PexRequestOutcome {
  added: number
}

export interface PexRequestSchedulerInit {
  clock: Clock
  random: Random
  book: Pick<PeerExchangeBook, 'knownPeerCount' | 'capacity' | 'starving'>
  options: Pick<PeerExchangeOptions,
  'firstRequestDelayMs' | 'emptyBookDelayMs' | 'baseRequestDelayMs' | 'fullBookDelayMs' | 'fullBookRatio' | 'requestJitterRatio'>
  /** Performs one request; a rejection counts as a request that added nothing. */
  request(peer: PeerId, options: AbortOptions): Promise<PexRequestOutcome>
  /** Told about every failed request (for logging); never affects scheduling. */
  onRequestError?(peer: PeerId, err: unknown): void
}

/** What the scheduler currently plans for one peer. */
export interface ScheduledPexPeer {
  peerId: string
  /** Epoch ms of the next request, or undefined while a request is in flight. */
  nextRequestAt: number | undefined
  /** New addresses the last response added. */
  lastAddedCount: number
  /** Consecutive requests that added nothing. */
  unproductiveStreak: number
}

interface PeerSchedule {
  peer: PeerId
  timer: TimerHandle | undefined
  nextRequestAt: number | undefined
  inFlight: AbortController | undefined
  lastAddedCount: number
  unproductiveStreak: number
}

export class PexRequestScheduler {
  readonly #init: PexRequestSchedulerInit
  readonly #peers = new Map<string, PeerSchedule>()

  constructor (init: PexRequestSchedulerInit) {
    this.#init = init
  }

  /**
   * Starts asking `peer`: at once when the book knows nobody or the node is starving (CometBFT
   * asks a new peer right away when its book needs addresses), else after `firstRequestDelayMs` ± jitter. No-op if already
   * started.
   */
  start (peer: PeerId): void {
    const key = peer.toString()
    if (this.#peers.has(key)) return
    const schedule: PeerSchedule = {
      peer, timer: undefined, nextRequestAt: undefined, inFlight: undefined, lastAddedCount: 0, unproductiveStreak: 0
    }
    this.#peers.set(key, schedule)
    const { firstRequestDelayMs, requestJitterRatio } = this.#init.options
    this.#arm(schedule, this.#bookKnowsNobody() || this.#starving() ? 0 : jitterDelayMs(firstRequestDelayMs, requestJitterRatio, this.#init.random))
  }

  /** Stops asking `peer`: cancels its timer and aborts its request in flight. */
  stop (peer: PeerId | string): void {
    const key = peer.toString()
    const schedule = this.#peers.get(key)
    if (schedule === undefined) return
    this.#peers.delete(key)
    schedule.timer?.cancel()
    schedule.timer = undefined
    schedule.inFlight?.abort(new PexSchedulerStoppedError(key))
  }

  stopAll (): void {
    for (const key of [...this.#peers.keys()]) this.stop(key)
  }

  /** The peers being asked, with their plans (a snapshot). */
  scheduled (): ScheduledPexPeer[] {
    return [...this.#peers.entries()].map(([peerId, s]) => ({
      peerId,
      nextRequestAt: s.nextRequestAt,
      lastAddedCount: s.lastAddedCount,
      unproductiveStreak: s.unproductiveStreak
    }))
  }

  #bookKnowsNobody (): boolean {
    try {
      return this.#init.book.knownPeerCount() === 0
    } catch {
      return false
    }
  }

  #starving (): boolean {
    try {
      return this.#init.book.starving?.() === true
    } catch {
      return false
    }
  }

  #arm (schedule: PeerSchedule, delayMs: number): void {
    schedule.nextRequestAt = this.#init.clock.now() + delayMs
    schedule.timer = this.#init.clock.setTimeout(() => { void this.#fire(schedule) }, delayMs)
  }

  async #fire (schedule: PeerSchedule): Promise<void> {
    schedule.timer = undefined
    schedule.nextRequestAt = undefined
    const controller = new AbortController()
    schedule.inFlight = controller
    let added = 0
    try {
      added = (await this.#init.request(schedule.peer, { signal: controller.signal })).added
    } catch (err) {
      if (!controller.signal.aborted) this.#init.onRequestError?.(schedule.peer, err)
    } finally {
      schedule.inFlight = undefined
    }
    // stop() (or stop() then start()) replaced or removed this schedule meanwhile
    if (this.#peers.get(schedule.peer.toString()) !== schedule) return

    schedule.lastAddedCount = added
    schedule.unproductiveStreak = added > 0 ? 0 : schedule.unproductiveStreak + 1
    const { book, random, options } = this.#init
    let delayMs: number
    try {
      delayMs = nextPexRequestDelayMs({
        knownPeers: book.knownPeerCount(),
        capacity: book.capacity(),
        lastAddedCount: schedule.lastAddedCount,
        unproductiveStreak: schedule.unproductiveStreak,
        starving: book.starving?.() === true
      }, random, options)
    } catch (err) {
      // A book that cannot tell its size must not end the schedule: fall back to the base delay.
      this.#init.onRequestError?.(schedule.peer, err)
      delayMs = jitterDelayMs(options.baseRequestDelayMs, options.requestJitterRatio, random)
    }
    this.#arm(schedule, delayMs)
  }
}
