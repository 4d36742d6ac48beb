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
import { nodeAddressFromMultiaddr, type NodeAddress } from '../address/index.js'
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js'
import type { PeerExchangeBook, PeerExchangeReporter } from './book.js'
import { PEX_MAX_REQUEST_BYTES, PEX_PROTOCOL } from './constants.js'
import {
  PexNotStartedError,
  PexPeerNotConnectedError,
  PexProtocolViolationError,
  PexRequestInProgressError,
  PexTimeoutError
} from './errors.js'
import { startExchangeDeadline, type ExchangeDeadline } from './exchange-deadline.js'
import type { PeerExchangeOptions } from './options.js'
import { PexRequestScheduler, type ScheduledPexPeer } from './request-scheduler.js'
import { readPexStream, sendPexFrameAndClose } from './stream-io.js'
import { PexPolicy, type PexResult, type PexStats } from './pex-policy.js'
import { pexSourceOf } from './source-share.js'

export type { PexResult, PexStats } from './pex-policy.js'

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
  /**
   * How likely a peer is to take a newcomer (0 below its minimum, 1 unknown or free, 2 full), so
   * answers list peers with free slots first. @default none (the book's order)
   */
  slotHint?: (peerId: string) => number
  /** Told after each response we sent (the router hangs up on a newcomer it held only for this). */
  onAnswered?: (peerId: string) => void
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

/** Longest varint length prefix of a frame within our caps. */
const MAX_FRAME_PREFIX_BYTES = 5

export class PeerExchangeService implements PeerExchange, Startable {
  readonly protocol = PEX_PROTOCOL
  readonly options: Readonly<PeerExchangeOptions>
  readonly [Symbol.toStringTag] = '@peermesh/pex'
  readonly [serviceCapabilities]: string[] = ['@peermesh/pex']

  readonly #components: PeerExchangeComponents
  readonly #clock: Clock
  readonly #log: Logger
  /** Every decision: what to answer, validation, penalties, the inbound rate limit. */
  readonly policy: PexPolicy
  readonly #counters: PexPolicy['counters']
  readonly #scheduler: PexRequestScheduler
  readonly #outstanding = new Set<string>()
  readonly #onAnswered: ((peerId: string) => void) | undefined
  #shutdown: AbortController | undefined
  readonly #onStream: StreamHandler = async (stream, connection) => { await this.#handleStream(stream, connection) }

  constructor (components: PeerExchangeComponents, init: PeerExchangeInit, options: PeerExchangeOptions) {
    this.#components = components
    this.#clock = init.clock ?? systemClock
    this.options = Object.freeze({ ...options })
    this.#log = components.logger.forComponent('peermesh:pex')
    this.policy = new PexPolicy({
      selfId: components.peerId.toString(),
      book: init.book,
      ...(init.reporter != null ? { reporter: init.reporter } : {}),
      ...(init.slotHint != null ? { slotHint: init.slotHint } : {}),
      clock: this.#clock,
      options: this.options,
      log: this.#log
    })
    this.#counters = this.policy.counters
    this.#onAnswered = init.onAnswered
    this.#scheduler = new PexRequestScheduler({
      clock: this.#clock,
      random: init.random ?? systemRandom,
      book: init.book,
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
    this.policy.reset()
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
    return this.policy.stats()
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
      await sendPexFrameAndClose(stream, this.policy.requestFrame(), { signal: deadline.signal })
      const bytes = await readPexStream(stream, {
        peerId: remote,
        maxFrameBytes: this.options.maxMessageBytes,
        maxTotalBytes: this.options.maxMessageBytes + MAX_FRAME_PREFIX_BYTES,
        signal: deadline.signal
      })
      const addresses = this.policy.parseResponse(remote, bytes)
      const result = this.policy.acceptResponse(remote, addresses, pexSourceOf(remote, remoteNodeAddress(connection, remote)))
      this.#counters.responsesReceived++
      this.#log('%s gave %d addresses: %d added, %d rejected, %d invalid', remote, addresses.length, result.added, result.rejected, result.invalid)
      return result
    } catch (err) {
      this.#counters.requestsFailed++
      const failure = this.#classifyFailure(err, deadline)
      if (failure instanceof PexProtocolViolationError) this.policy.penalise(failure)
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
    if (shutdown === undefined) {
      this.#counters.requestsReceived++
      stream.abort(new PexNotStartedError())
      return
    }
    const refusal = this.policy.inboundRequest(remote)
    if (refusal !== undefined) {
      stream.abort(refusal)
      return
    }

    const deadline = this.#startDeadline(remote, [shutdown.signal])
    try {
      const bytes = await readPexStream(stream, {
        peerId: remote,
        maxFrameBytes: PEX_MAX_REQUEST_BYTES,
        maxTotalBytes: PEX_MAX_REQUEST_BYTES + MAX_FRAME_PREFIX_BYTES,
        signal: deadline.signal
      })
      const limit = this.policy.parseRequest(remote, bytes)
      const addresses = this.policy.answer(remote, limit)
      await sendPexFrameAndClose(stream, this.policy.responseFrame(addresses), { signal: deadline.signal })
      this.#counters.responsesSent++
      this.#counters.addressesSent += addresses.length
      this.#onAnswered?.(remote)
      this.#log('sent %d addresses to %s', addresses.length, remote)
    } catch (err) {
      const failure = this.#classifyFailure(err, deadline)
      if (failure instanceof PexProtocolViolationError) this.policy.penalise(failure)
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
}

/** The connection's remote address as a NodeAddress, if it reads as one. */
function remoteNodeAddress (connection: Connection, remote: string): NodeAddress | undefined {
  try {
    const ma = connection.remoteAddr
    return nodeAddressFromMultiaddr(ma.toString().includes('/p2p/') ? ma : ma.encapsulate(`/p2p/${remote}`))
  } catch {
    return undefined
  }
}
