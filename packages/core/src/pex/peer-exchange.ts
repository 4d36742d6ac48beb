/**
 * The peer exchange service (internal class; build it with `peerExchange(init)`).
 *
 * One exchange = one stream: the requester sends one request frame and closes its writable end;
 * the responder reads to that end, answers with one response frame and closes. Either side that
 * gets anything else penalises the other through the {@link PeerExchangeReporter} and aborts the
 * stream; nothing a peer sends touches the book before it has been fully read and validated.
 */
import { serviceCapabilities } from '@libp2p/interface'
import type { AbortOptions, ComponentLogger, Connection, Logger, PeerId, Startable, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'
import { InvalidNodeAddressError, parseNodeAddress, type NodeAddress } from '../address/index.js'
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js'
import type { PeerExchangeBook, PeerExchangeReporter } from './book.js'
import { PEX_MAX_REQUEST_BYTES, PEX_PENALTY_POINTS, PEX_PROTOCOL, type PexMisbehaviour } from './constants.js'
import {
  PexInvalidMessageError,
  PexMessageTooLargeError,
  PexMostlyInvalidAddressesError,
  PexNoResponseError,
  PexEmptyRequestError,
  PexNotStartedError,
  PexPeerNotConnectedError,
  PexProtocolViolationError,
  PexRequestInProgressError,
  PexRequestTooSoonError,
  PexTimeoutError,
  PexTooManyAddressesError,
  PexUnsolicitedMessageError
} from './errors.js'
import { startExchangeDeadline, type ExchangeDeadline } from './exchange-deadline.js'
import { decodePexMessage, encodePexFrame, pexAddressFieldBytes, pexResponseFrameBytes, splitPexFrames } from './framing.js'
import type { PeerExchangeOptions } from './options.js'
import { PexRequestScheduler, type ScheduledPexPeer } from './request-scheduler.js'
import { readPexStream, sendPexFrameAndClose } from './stream-io.js'

/** The part of libp2p's registrar the service uses. */
export interface PeerExchangeRegistrar {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string, options?: AbortOptions): Promise<void>
}

/** The part of libp2p's connection manager the service uses (it never dials). */
export interface PeerExchangeConnectionManager {
  getConnections(peerId?: PeerId): Connection[]
}

/** The libp2p components the service uses. */
export interface PeerExchangeComponents {
  /** Our own peer ID: addresses naming it are dropped when received. */
  peerId: PeerId
  registrar: PeerExchangeRegistrar
  connectionManager: PeerExchangeConnectionManager
  logger: ComponentLogger
}

/** Dependencies of the service that libp2p does not provide, plus its options. */
export interface PeerExchangeInit extends Partial<PeerExchangeOptions> {
  /** Where advertised addresses come from and learned addresses go (the PeerManager). */
  book: PeerExchangeBook
  /**
   * Told about every protocol violation, with dash-spv points.
   *
   * @default none (violations are still counted in `stats()`)
   */
  reporter?: PeerExchangeReporter
  /**
   * Drives request deadlines, the inbound rate limit and the request scheduler.
   *
   * @default systemClock
   */
  clock?: Clock
  /**
   * Jitter of the request scheduler.
   *
   * @default systemRandom
   */
  random?: Random
}

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
  /** Protocol violations reported, and their points. */
  penalties: number
  penaltyPoints: number
  penaltiesByKind: Record<PexMisbehaviour, number>
}

/** The peer exchange service, as seen by the router and by apps (`libp2p.services.pex`). */
export interface PeerExchange {
  /** The protocol id, `/peermesh/pex/1.0.0`. */
  readonly protocol: string
  /** The effective options (defaults filled in). */
  readonly options: Readonly<PeerExchangeOptions>
  /**
   * Asks a connected peer for addresses and puts the valid ones in the book as `gossip`.
   * Uses an existing connection (a limited, relayed one too) and never dials.
   *
   * @throws {PexPeerNotConnectedError} | {PexRequestInProgressError} | {PexNotStartedError} before
   * anything is sent; {PexNoResponseError} when the peer closes without answering; a
   * {PexProtocolViolationError} subclass (after penalising the peer) for a bad response or a
   * timeout; the signal's reason when `options.signal` aborts; libp2p's stream errors otherwise.
   */
  request(peerId: PeerId, options?: AbortOptions): Promise<PexResult>
  /** Starts asking `peerId` periodically at the adaptive interval (idempotent). */
  startRequesting(peerId: PeerId): void
  /** Stops asking `peerId` and aborts its scheduled request in flight. */
  stopRequesting(peerId: PeerId): void
  /** The peers being asked periodically, with their next request time. */
  scheduledPeers(): ScheduledPexPeer[]
  /** A snapshot of the counters. */
  stats(): PexStats
}

/** Above this many remembered inbound requests, entries older than the interval are swept. */
const INBOUND_HISTORY_SWEEP_SIZE = 256
/** Longest varint length prefix of a frame within our caps. */
const MAX_FRAME_PREFIX_BYTES = 5

const utf8 = new TextEncoder()

function emptyPenaltyCounts (): Record<PexMisbehaviour, number> {
  const counts = {} as Record<PexMisbehaviour, number>
  for (const kind of Object.keys(PEX_PENALTY_POINTS) as PexMisbehaviour[]) counts[kind] = 0
  return counts
}

export class PeerExchangeService implements PeerExchange, Startable {
  readonly protocol = PEX_PROTOCOL
  readonly options: Readonly<PeerExchangeOptions>
  readonly [Symbol.toStringTag] = '@peermesh/pex'
  readonly [serviceCapabilities]: string[] = ['@peermesh/pex']

  readonly #components: PeerExchangeComponents
  readonly #book: PeerExchangeBook
  readonly #reporter: PeerExchangeReporter | undefined
  readonly #clock: Clock
  readonly #log: Logger
  readonly #scheduler: PexRequestScheduler
  readonly #outstanding = new Set<string>()
  readonly #lastInboundRequestAt = new Map<string, number>()
  readonly #counters: Omit<PexStats, 'penaltiesByKind'> = {
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
    penalties: 0,
    penaltyPoints: 0
  }

  readonly #penaltiesByKind = emptyPenaltyCounts()
  #shutdown: AbortController | undefined
  readonly #onStream: StreamHandler = async (stream, connection) => { await this.#handleStream(stream, connection) }

  constructor (components: PeerExchangeComponents, init: PeerExchangeInit, options: PeerExchangeOptions) {
    this.#components = components
    this.#book = init.book
    this.#reporter = init.reporter
    this.#clock = init.clock ?? systemClock
    this.options = Object.freeze({ ...options })
    this.#log = components.logger.forComponent('peermesh:pex')
    this.#scheduler = new PexRequestScheduler({
      clock: this.#clock,
      random: init.random ?? systemRandom,
      book: this.#book,
      options: this.options,
      request: async (peer, requestOptions) => {
        try {
          return await this.request(peer, requestOptions)
        } catch (err) {
          // the router missed a disconnect: stop asking rather than back off forever
          if (err instanceof PexPeerNotConnectedError) this.#scheduler.stop(peer)
          throw err
        }
      },
      onRequestError: (peer, err) => { this.#log('scheduled request to %p failed - %e', peer, err) }
    })
  }

  isStarted (): boolean {
    return this.#shutdown !== undefined
  }

  async start (): Promise<void> {
    if (this.#shutdown !== undefined) return
    await this.#components.registrar.handle(this.protocol, this.#onStream, {
      maxInboundStreams: this.options.maxInboundStreams,
      maxOutboundStreams: this.options.maxOutboundStreams,
      // Browser peers first meet through relays; their connections are limited.
      runOnLimitedConnection: true
    })
    this.#shutdown = new AbortController()
  }

  async stop (): Promise<void> {
    const shutdown = this.#shutdown
    if (shutdown === undefined) return
    this.#shutdown = undefined
    this.#scheduler.stopAll()
    shutdown.abort(new PexNotStartedError())
    this.#lastInboundRequestAt.clear()
    await this.#components.registrar.unhandle(this.protocol)
  }

  startRequesting (peerId: PeerId): void {
    if (this.#shutdown === undefined) throw new PexNotStartedError()
    this.#scheduler.start(peerId)
  }

  stopRequesting (peerId: PeerId): void {
    this.#scheduler.stop(peerId)
  }

  scheduledPeers (): ScheduledPexPeer[] {
    return this.#scheduler.scheduled()
  }

  stats (): PexStats {
    return { ...this.#counters, penaltiesByKind: { ...this.#penaltiesByKind } }
  }

  async request (peerId: PeerId, options: AbortOptions = {}): Promise<PexResult> {
    const shutdown = this.#shutdown
    if (shutdown === undefined) throw new PexNotStartedError()
    const remote = peerId.toString()
    if (this.#outstanding.has(remote)) throw new PexRequestInProgressError(remote)
    const connection = this.#pickConnection(peerId)
    if (connection === undefined) throw new PexPeerNotConnectedError(remote)
    options.signal?.throwIfAborted()

    this.#outstanding.add(remote)
    this.#counters.requestsSent++
    const deadline = this.#startDeadline(remote, [options.signal, shutdown.signal])
    let stream: Stream | undefined
    try {
      stream = await connection.newStream(this.protocol, {
        signal: deadline.signal,
        runOnLimitedConnection: true,
        maxOutboundStreams: this.options.maxOutboundStreams
      })
      await sendPexFrameAndClose(stream, encodePexFrame({ request: { limit: this.options.maxAddressesPerResponse } }), { signal: deadline.signal })
      const bytes = await readPexStream(stream, {
        peerId: remote,
        maxFrameBytes: this.options.maxMessageBytes,
        maxTotalBytes: this.options.maxMessageBytes + MAX_FRAME_PREFIX_BYTES,
        signal: deadline.signal
      })
      const addresses = this.#parseResponse(remote, bytes)
      const result = this.#accept(remote, addresses)
      this.#counters.responsesReceived++
      this.#log('%s gave %d addresses: %d added, %d rejected, %d invalid', remote, addresses.length, result.added, result.rejected, result.invalid)
      return result
    } catch (err) {
      this.#counters.requestsFailed++
      const failure = this.#classifyFailure(err, deadline)
      if (failure instanceof PexProtocolViolationError) this.#penalise(failure)
      stream?.abort(failure instanceof Error ? failure : new Error('peer exchange failed', { cause: failure }))
      throw failure
    } finally {
      deadline.dispose()
      this.#outstanding.delete(remote)
    }
  }

  async #handleStream (stream: Stream, connection: Connection): Promise<void> {
    const shutdown = this.#shutdown
    const remote = connection.remotePeer.toString()
    this.#counters.requestsReceived++
    if (shutdown === undefined) {
      stream.abort(new PexNotStartedError())
      return
    }

    const now = this.#clock.now()
    const last = this.#lastInboundRequestAt.get(remote)
    if (last !== undefined && now - last < this.options.minRequestIntervalMs) {
      this.#counters.requestsRefused++
      const err = new PexRequestTooSoonError(remote,
        `${remote} asked again after ${now - last} ms (minimum ${this.options.minRequestIntervalMs} ms)`)
      this.#penalise(err)
      stream.abort(err)
      return
    }
    this.#rememberInboundRequest(remote, now)

    const deadline = this.#startDeadline(remote, [shutdown.signal])
    try {
      const bytes = await readPexStream(stream, {
        peerId: remote,
        maxFrameBytes: PEX_MAX_REQUEST_BYTES,
        maxTotalBytes: PEX_MAX_REQUEST_BYTES + MAX_FRAME_PREFIX_BYTES,
        signal: deadline.signal
      })
      const limit = this.#parseRequest(remote, bytes)
      const addresses = this.#selectAddresses(remote, limit)
      await sendPexFrameAndClose(stream, encodePexFrame({ response: { addresses } }), { signal: deadline.signal })
      this.#counters.responsesSent++
      this.#counters.addressesSent += addresses.length
      this.#log('sent %d addresses to %s', addresses.length, remote)
    } catch (err) {
      const failure = this.#classifyFailure(err, deadline)
      if (failure instanceof PexProtocolViolationError) this.#penalise(failure)
      else this.#log('request from %s failed - %e', remote, failure)
      stream.abort(failure instanceof Error ? failure : new Error('peer exchange failed', { cause: failure }))
    } finally {
      deadline.dispose()
    }
  }

  /** An open connection to `peerId`, preferring unlimited (direct) ones. */
  #pickConnection (peerId: PeerId): Connection | undefined {
    const open = this.#components.connectionManager.getConnections(peerId).filter(c => c.status === 'open')
    return open.find(c => c.limits === undefined) ?? open[0]
  }

  #startDeadline (remote: string, parents: Array<AbortSignal | undefined>): ExchangeDeadline {
    const timeoutMs = this.options.requestTimeoutMs
    const error = new PexTimeoutError(remote, `${remote} did not complete the peer exchange within ${timeoutMs} ms`)
    return startExchangeDeadline(this.#clock, timeoutMs, error, parents)
  }

  /** The error to report: a protocol violation as found, else our timeout over whatever it caused downstream. */
  #classifyFailure (err: unknown, deadline: ExchangeDeadline): unknown {
    if (err instanceof PexProtocolViolationError) return err
    return deadline.timedOut() ? deadline.signal.reason : err
  }

  #parseRequest (remote: string, bytes: Uint8Array): number {
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

  #parseResponse (remote: string, bytes: Uint8Array): string[] {
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
  #accept (remote: string, texts: string[]): PexResult {
    const self = this.#components.peerId.toString()
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
    this.#counters.addressesInvalid += invalid

    if (texts.length > 0 && invalid / texts.length > this.options.maxInvalidAddressRatio) {
      throw new PexMostlyInvalidAddressesError(remote,
        `${invalid} of the ${texts.length} addresses from ${remote} are invalid; the response was discarded`)
    }

    let added = 0
    for (const address of candidates) {
      let isNew = false
      try {
        isNew = this.#book.add(address, { source: 'gossip' })
      } catch (err) {
        this.#log('book refused %s from %s - %e', address.toString(), remote, err)
      }
      if (isNew) added++
      else rejected++
    }
    this.#counters.addressesAdded += added
    this.#counters.addressesRejected += rejected
    return { added, rejected, invalid }
  }

  /** What we tell `remote`: from the book, never its own addresses, deduplicated, within both caps. */
  #selectAddresses (remote: string, limit: number): string[] {
    let candidates: NodeAddress[]
    try {
      candidates = this.#book.advertise(remote, limit)
    } catch (err) {
      this.#log.error('book.advertise failed - %e', err)
      candidates = []
    }
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

  #penalise (err: PexProtocolViolationError): void {
    const points = PEX_PENALTY_POINTS[err.misbehaviour]
    this.#counters.penalties++
    this.#counters.penaltyPoints += points
    this.#penaltiesByKind[err.misbehaviour]++
    this.#log('penalising %s with %d points: %s', err.peerId, points, err.message)
    try {
      this.#reporter?.misbehaved(err.peerId, points, `pex/${err.misbehaviour}`)
    } catch (reportErr) {
      this.#log.error('reporter.misbehaved failed - %e', reportErr)
    }
  }

  #rememberInboundRequest (remote: string, now: number): void {
    if (this.#lastInboundRequestAt.size >= INBOUND_HISTORY_SWEEP_SIZE) {
      for (const [peer, at] of this.#lastInboundRequestAt) {
        if (now - at >= this.options.minRequestIntervalMs) this.#lastInboundRequestAt.delete(peer)
      }
    }
    this.#lastInboundRequestAt.set(remote, now)
  }
}
