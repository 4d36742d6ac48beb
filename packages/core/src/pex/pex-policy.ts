/**
 * The peer exchange's decisions, without I/O: what to answer, how to validate what we receive,
 * whom to penalise and how much, whom to refuse for asking too often. The libp2p service
 * (`peer-exchange.ts`) reads and writes the streams and calls this; the mesh simulator calls the
 * same methods with the same bytes. When to ask whom is {@link PexRequestScheduler} (timers on
 * the injected clock; its `request` callback is the driver's) with {@link nextPexRequestDelayMs}.
 *
 * Inputs → outputs (every method is synchronous; none touches a stream or a timer):
 * - `inboundRequest(remote)` → `undefined` (serve it) or a {@link PexRequestTooSoonError} (the
 *   driver aborts the stream; the policy has already penalised the peer);
 * - `requestFrame()` → the bytes of our request: for as many addresses as the book has room for
 *   (`maxAddressesPerResponse` while starving, at least {@link PEX_REFRESH_LIMIT});
 * - `parseRequest(remote, bytes)` → the limit asked for, or throws a
 *   {@link PexProtocolViolationError} (the driver penalises it with `penalise(err)`);
 * - `answer(remote, limit)` → the address URLs to send (from the book; with a `slotHint`, peers
 *   likely to have a free slot first), within the address and byte caps; `responseFrame(urls)`;
 * - `parseResponse(remote, bytes)` → address strings, or throws a violation;
 * - `acceptResponse(remote, urls, source?)` → {@link PexResult}: validated addresses offered to the
 *   book, within the per-source share of {@link PexSourceShare} (`source` is the answering peer's
 *   address group when the driver knows a public address for it, else the peer ID); throws
 *   {@link PexMostlyInvalidAddressesError} when most are invalid;
 * - `penalise(err)`: counts the violation and reports `PEX_PENALTY_POINTS[kind]` to the reporter;
 * - `stats()`; `reset()` forgets the inbound request history (service stop).
 */
import { InvalidNodeAddressError, parseNodeAddress, type NodeAddress } from '../address/index.js'
import type { Clock } from '../clock.js'
import type { PeerExchangeBook, PeerExchangeReporter } from './book.js'
import { PEX_MAX_REQUEST_BYTES, PEX_PENALTY_POINTS, PEX_REFRESH_LIMIT, PEX_SOURCE_LEDGER_MAX_ENTRIES, type PexMisbehaviour } from './constants.js'
import {
  PexEmptyRequestError,
  PexInvalidMessageError,
  PexMessageTooLargeError,
  PexMostlyInvalidAddressesError,
  PexNoResponseError,
  PexRequestTooSoonError,
  PexTooManyAddressesError,
  PexUnsolicitedMessageError,
  type PexProtocolViolationError
} from './errors.js'
import { decodePexMessage, encodePexFrame, pexAddressFieldBytes, pexResponseFrameBytes, splitPexFrames } from './framing.js'
import type { PeerExchangeOptions } from './options.js'
import { PexSourceShare } from './source-share.js'

/** What one successful request brought. */
export interface PexResult {
  /** Addresses the book took as new. */
  added: number
  /** Valid addresses not added: already known or refused by the book, duplicates, ours. */
  rejected: number
  /** Addresses that failed to parse (skipped). */
  invalid: number
}

/** Counters since the service was created (for metrics). */
export interface PexStats {
  /** Requests we started (successful or not). */
  requestsSent: number
  /** Requests of ours that failed (no response, violation, timeout, aborted, stream error). */
  requestsFailed: number
  /** Valid responses we received. */
  responsesReceived: number
  /** Inbound request streams, including refused ones. */
  requestsReceived: number
  /** Inbound requests refused for coming sooner than `minRequestIntervalMs`. */
  requestsRefused: number
  /** Responses we sent. */
  responsesSent: number
  /** Addresses in the responses we sent. */
  addressesSent: number
  addressesAdded: number
  addressesRejected: number
  addressesInvalid: number
  /** New addresses dropped because their source already held its share of the book (also in `addressesRejected`). */
  addressesOverSourceShare: number
  /** Protocol violations reported, and their points. */
  penalties: number
  penaltyPoints: number
  penaltiesByKind: Record<PexMisbehaviour, number>
}

/**
 * A libp2p-style logger (`log(format, ...args)` plus `log.error`); libp2p's own fits. `log` is
 * detail (`debug` on our Logger), `error` what an operator should see (`warn`).
 */
export interface PexLog {
  (format: string, ...args: unknown[]): void
  error(format: string, ...args: unknown[]): void
}

const silentPexLog: PexLog = Object.assign(() => {}, { error: () => {} })

export interface PexPolicyInit {
  /** Our own peer ID: addresses naming it are dropped when received. */
  selfId: string
  book: PeerExchangeBook
  reporter?: PeerExchangeReporter
  clock: Clock
  options: Readonly<PeerExchangeOptions>
  log?: PexLog
  /**
   * How likely a peer is to take a newcomer, for ordering answers: 0 below its minimum degree,
   * 1 unknown or with a free slot, 2 full. Lower goes first. @default none (the book's order)
   */
  slotHint?: (peerId: string) => number
}

/** Above this many remembered inbound requests, entries older than the interval are swept. */
const INBOUND_HISTORY_SWEEP_SIZE = 256

const utf8 = new TextEncoder()

function emptyPenaltyCounts (): Record<PexMisbehaviour, number> {
  const counts = {} as Record<PexMisbehaviour, number>
  for (const kind of Object.keys(PEX_PENALTY_POINTS) as PexMisbehaviour[]) counts[kind] = 0
  return counts
}

export class PexPolicy {
  readonly options: Readonly<PeerExchangeOptions>
  /** Counters the driver updates too (requests sent, failed…). */
  readonly counters: Omit<PexStats, 'penaltiesByKind'> = {
    requestsSent: 0,
    requestsFailed: 0,
    responsesReceived: 0,
    requestsReceived: 0,
    requestsRefused: 0,
    responsesSent: 0,
    addressesSent: 0,
    addressesAdded: 0,
    addressesRejected: 0,
    addressesInvalid: 0,
    addressesOverSourceShare: 0,
    penalties: 0,
    penaltyPoints: 0
  }

  private readonly selfId: string
  private readonly book: PeerExchangeBook
  private readonly reporter: PeerExchangeReporter | undefined
  private readonly clock: Clock
  private readonly log: PexLog
  private readonly slotHint: ((peerId: string) => number) | undefined
  private readonly penaltiesByKind = emptyPenaltyCounts()
  private readonly lastInboundRequestAt = new Map<string, number>()
  private readonly sourceShare: PexSourceShare

  constructor (init: PexPolicyInit) {
    this.selfId = init.selfId
    this.book = init.book
    this.reporter = init.reporter
    this.clock = init.clock
    this.options = init.options
    this.log = init.log ?? silentPexLog
    this.slotHint = init.slotHint
    const book = init.book
    this.sourceShare = new PexSourceShare({
      clock: init.clock,
      maxShare: init.options.maxSourceShare,
      maxPerSource: init.options.maxNewPeersPerSource,
      ttlMs: init.options.sourceShareTtlMs,
      maxEntries: PEX_SOURCE_LEDGER_MAX_ENTRIES,
      ...(book.status != null ? { status: (peerId: string) => book.status?.(peerId) ?? 'gone' } : {})
    })
  }

  private bookStatus (peerId: string): 'new' | 'tried' | 'gone' | undefined {
    try {
      return this.book.status?.(peerId)
    } catch (err) {
      this.log('book.status failed - %e', err)
      return undefined
    }
  }

  /** New peers `source` holds in the book now, as the per-source share counts them. */
  sourceHeld (source: string): number {
    return this.sourceShare.held(source)
  }

  stats (): PexStats {
    return { ...this.counters, penaltiesByKind: { ...this.penaltiesByKind } }
  }

  reset (): void {
    this.lastInboundRequestAt.clear()
  }

  /** An inbound request stream opened: undefined to serve it, or the (already penalised) refusal. */
  inboundRequest (remote: string): PexRequestTooSoonError | undefined {
    this.counters.requestsReceived++
    const now = this.clock.now()
    const last = this.lastInboundRequestAt.get(remote)
    if (last !== undefined && now - last < this.options.minRequestIntervalMs) {
      this.counters.requestsRefused++
      const err = new PexRequestTooSoonError(remote,
        `${remote} asked again after ${now - last} ms (minimum ${this.options.minRequestIntervalMs} ms)`)
      this.penalise(err)
      return err
    }
    this.rememberInboundRequest(remote, now)
    return undefined
  }

  requestFrame (): Uint8Array {
    return encodePexFrame({ request: { limit: this.requestLimit() } })
  }

  /**
   * How many addresses to ask for: all we may (`maxAddressesPerResponse`) while the node is below
   * its minimum degree or its book cannot tell, else the room left in the book, at least
   * {@link PEX_REFRESH_LIMIT} (a full book still learns who is new).
   */
  requestLimit (): number {
    const max = this.options.maxAddressesPerResponse
    try {
      const capacity = this.book.capacity()
      if (this.book.starving?.() === true || capacity <= 0) return max
      const room = capacity - this.book.knownPeerCount()
      return Math.max(Math.min(PEX_REFRESH_LIMIT, max), Math.min(max, room))
    } catch {
      return max
    }
  }

  responseFrame (addresses: string[]): Uint8Array {
    return encodePexFrame({ response: { addresses } })
  }

  /** The request's limit (≤ `maxAddressesPerResponse`), or a violation thrown. */
  parseRequest (remote: string, bytes: Uint8Array): number {
    const split = splitPexFrames(bytes, PEX_MAX_REQUEST_BYTES)
    if (!split.ok) {
      throw split.problem === 'oversized'
        ? new PexMessageTooLargeError(remote, `${remote} sent a request frame over ${PEX_MAX_REQUEST_BYTES} bytes`)
        : new PexInvalidMessageError(remote, `${remote} closed its request stream inside a frame`)
    }
    const [first, ...extra] = split.frames
    if (first === undefined) throw new PexEmptyRequestError(remote)
    const message = decodePexMessage(first, this.options.maxAddressesPerResponse)
    if (message.kind === 'response' || message.kind === 'too-many-addresses') {
      throw new PexUnsolicitedMessageError(remote, `${remote} sent a response on its own request stream`)
    }
    if (message.kind === 'invalid') throw new PexInvalidMessageError(remote, `${remote} sent an undecodable request`)
    if (extra.length > 0) throw new PexUnsolicitedMessageError(remote, `${remote} sent ${extra.length} extra message(s) after its request`)
    const max = this.options.maxAddressesPerResponse
    return message.limit === undefined || message.limit === 0 ? max : Math.min(message.limit, max)
  }

  /** The address strings of a response, or a violation thrown. */
  parseResponse (remote: string, bytes: Uint8Array): string[] {
    const { maxMessageBytes, maxAddressesPerResponse } = this.options
    const split = splitPexFrames(bytes, maxMessageBytes)
    if (!split.ok) {
      throw split.problem === 'oversized'
        ? new PexMessageTooLargeError(remote, `${remote} sent a response frame over ${maxMessageBytes} bytes`)
        : new PexInvalidMessageError(remote, `${remote} closed the stream inside a response frame`)
    }
    const [first, ...extra] = split.frames
    if (first === undefined) throw new PexNoResponseError(remote)
    const message = decodePexMessage(first, maxAddressesPerResponse)
    switch (message.kind) {
      case 'too-many-addresses':
        throw new PexTooManyAddressesError(remote, `${remote} sent more than ${maxAddressesPerResponse} addresses`)
      case 'invalid':
        throw new PexInvalidMessageError(remote, `${remote} sent an undecodable response`)
      case 'request':
        throw new PexUnsolicitedMessageError(remote, `${remote} sent a request where a response was expected`)
      case 'response':
        if (extra.length > 0) throw new PexUnsolicitedMessageError(remote, `${remote} sent ${extra.length} extra message(s) after its response`)
        return message.addresses
    }
  }

  /** Validates every address first, then (unless most were invalid) offers the valid ones to the book. */
  acceptResponse (remote: string, texts: string[], source: string = `peer:${remote}`): PexResult {
    const self = this.selfId
    const candidates: NodeAddress[] = []
    const seen = new Set<string>()
    let invalid = 0
    let rejected = 0
    for (const text of texts) {
      if (utf8.encode(text).length > this.options.maxAddressBytes) {
        invalid++
        continue
      }
      let address: NodeAddress
      try {
        address = parseNodeAddress(text)
      } catch (err) {
        if (!(err instanceof InvalidNodeAddressError)) throw err
        invalid++
        continue
      }
      const url = address.toString()
      if (address.peerId === self || seen.has(url)) {
        rejected++
        continue
      }
      seen.add(url)
      candidates.push(address)
    }
    this.counters.addressesInvalid += invalid

    if (texts.length > 0 && invalid / texts.length > this.options.maxInvalidAddressRatio) {
      throw new PexMostlyInvalidAddressesError(remote,
        `${invalid} of the ${texts.length} addresses from ${remote} are invalid; the response was discarded`)
    }

    let added = 0
    let overShare = 0
    let capacity = 0
    try {
      capacity = this.book.capacity()
    } catch (err) {
      this.log('book.capacity failed - %e', err)
    }
    for (const address of candidates) {
      let isNew = false
      const known = this.bookStatus(address.peerId)
      // a peer the book does not hold yet takes a place in the source's share: none left, dropped
      if ((known === undefined || known === 'gone') && !this.sourceShare.admits(source, capacity)) {
        overShare++
        rejected++
        continue
      }
      try {
        isNew = this.book.add(address, { source: 'gossip' })
        if (isNew && known !== 'new' && known !== 'tried') this.sourceShare.record(source, address.peerId)
      } catch (err) {
        this.log('book refused %s from %s - %e', address.toString(), remote, err)
      }
      if (isNew) added++
      else rejected++
    }
    if (overShare > 0) this.log('dropped %d new addresses from %s (source %s holds its share of the book)', overShare, remote, source)
    this.counters.addressesOverSourceShare += overShare
    this.counters.addressesAdded += added
    this.counters.addressesRejected += rejected
    return { added, rejected, invalid }
  }

  /**
   * What we tell `remote`: from the book, never its own addresses, deduplicated, within both caps;
   * with a slot hint, peers likely to have a free slot first (a stable sort: the book's order
   * within each class).
   */
  answer (remote: string, limit: number): string[] {
    let candidates: NodeAddress[]
    try {
      // ask the book for more than we send, so that peers with free slots can go first
      candidates = this.book.advertise(remote, this.slotHint == null ? limit : limit * 2)
    } catch (err) {
      this.log.error('book.advertise failed - %e', err)
      candidates = []
    }
    if (this.slotHint != null) candidates = this.preferFreeSlots(candidates)
    const selected: string[] = []
    const seen = new Set<string>()
    let bodyBytes = 0
    for (const address of candidates) {
      if (selected.length >= limit) break
      if (address.peerId === remote) continue
      const url = address.toString()
      if (seen.has(url)) continue
      const urlBytes = utf8.encode(url).length
      if (urlBytes > this.options.maxAddressBytes) continue
      const nextBodyBytes = bodyBytes + pexAddressFieldBytes(urlBytes)
      if (pexResponseFrameBytes(nextBodyBytes) > this.options.maxMessageBytes) break
      bodyBytes = nextBodyBytes
      seen.add(url)
      selected.push(url)
    }
    return selected
  }

  private preferFreeSlots (candidates: NodeAddress[]): NodeAddress[] {
    const hint = this.slotHint
    if (hint == null) return candidates
    const classes = new Map<string, number>()
    const classOf = (peerId: string): number => {
      let c = classes.get(peerId)
      if (c === undefined) {
        try {
          c = hint(peerId)
        } catch {
          c = 1
        }
        classes.set(peerId, c)
      }
      return c
    }
    return candidates
      .map((address, index) => ({ address, index, c: classOf(address.peerId) }))
      .sort((a, b) => a.c - b.c || a.index - b.index)
      .map(x => x.address)
  }

  /** Counts a violation and reports its points (dash-spv scale) to the reporter. */
  penalise (err: PexProtocolViolationError): void {
    const points = PEX_PENALTY_POINTS[err.misbehaviour]
    this.counters.penalties++
    this.counters.penaltyPoints += points
    this.penaltiesByKind[err.misbehaviour]++
    // at error: an operator sees every penalty (warn on our Logger); a peer earns a handful before its ban
    this.log.error('penalising %s with %d points (pex/%s): %s', err.peerId, points, err.misbehaviour, err.message)
    try {
      this.reporter?.misbehaved(err.peerId, points, `pex/${err.misbehaviour}`)
    } catch (reportErr) {
      this.log.error('reporter.misbehaved failed - %e', reportErr)
    }
  }

  private rememberInboundRequest (remote: string, now: number): void {
    if (this.lastInboundRequestAt.size >= INBOUND_HISTORY_SWEEP_SIZE) {
      for (const [peer, at] of this.lastInboundRequestAt) {
        if (now - at >= this.options.minRequestIntervalMs) this.lastInboundRequestAt.delete(peer)
      }
    }
    this.lastInboundRequestAt.set(remote, now)
  }
}
