/**
 * The tunable numbers of the peer exchange, as a trio in the gossipsub style:
 * {@link defaultPeerExchangeOptions}, {@link createPeerExchangeOptions} (fill in defaults) and
 * {@link validatePeerExchangeOptions} (reject inconsistent values with a clear error).
 */
import { PEX_DEFAULTS } from './constants.js'
import { InvalidPeerExchangeOptionsError } from './errors.js'

export interface PeerExchangeOptions {
  /**
   * Most addresses we send in one response, and most we accept in one (a response carrying more
   * is an error and the sender is penalised). CometBFT's limit.
   *
   * @default 100
   */
  maxAddressesPerResponse: number
  /**
   * Most bytes of one response frame (the protobuf message, without its length prefix), in both
   * directions: we trim our own responses to fit, and abort streams whose frame is larger.
   *
   * @default 32768
   */
  maxMessageBytes: number
  /**
   * An address string longer than this (UTF-8 bytes) is counted as invalid without parsing it.
   * Matches the peer store's limit for an address URL.
   *
   * @default 1024
   */
  maxAddressBytes: number
  /**
   * A response in which more than this share of the addresses is invalid is discarded as a whole
   * and its sender penalised; below it, invalid addresses are only skipped and counted.
   *
   * @default 0.5
   */
  maxInvalidAddressRatio: number
  /**
   * How long one exchange may take, in both directions: opening the stream, sending the request
   * and reading the whole response (as requester); reading the request (as responder).
   *
   * @default 10000
   */
  requestTimeoutMs: number
  /**
   * A peer that asks again sooner than this after its previous request is misbehaving: it is
   * penalised and its request is ignored. Must stay below the shortest delay our own scheduler
   * uses, or two nodes with default options would penalise each other.
   *
   * @default 500
   */
  minRequestIntervalMs: number
  /**
   * Concurrent inbound PEX streams per connection (libp2p closes streams beyond it).
   *
   * @default 2
   */
  maxInboundStreams: number
  /**
   * Concurrent outbound PEX streams per connection.
   *
   * @default 2
   */
  maxOutboundStreams: number
  /**
   * Delay before the first request to a newly connected peer (before jitter), when the book
   * already knows peers. While it knows nobody the first request goes out at once.
   *
   * @default 1000
   */
  firstRequestDelayMs: number
  /**
   * Delay between requests to a peer while our book knows no peer at all (before jitter).
   * Also the shortest delay the adaptive interval ever returns.
   *
   * @default 1000
   */
  emptyBookDelayMs: number
  /**
   * Delay between requests to a peer when the last response brought nothing new and the book is
   * nearly empty; it shrinks as responses bring new addresses and grows as the book fills and as
   * responses stay unproductive (before jitter).
   *
   * @default 30000
   */
  baseRequestDelayMs: number
  /**
   * Delay between requests once the book is at least `fullBookRatio` full. Also the longest
   * delay the adaptive interval ever returns. CometBFT's value.
   *
   * @default 600000
   */
  fullBookDelayMs: number
  /**
   * Share of the book's capacity from which it counts as full.
   *
   * @default 0.95
   */
  fullBookRatio: number
  /**
   * Every delay is multiplied by a uniform random factor in [1 - ratio, 1 + ratio), so that
   * peers that connected together do not ask in lockstep.
   *
   * @default 0.1
   */
  requestJitterRatio: number
  /**
   * Share of the book's capacity that the never-connected peers learnt from one source (the
   * peer that answered, grouped by its address group; see source-share.ts) may fill. Beyond it,
   * that source's new addresses are dropped and counted. Bitcoin Core's addrman bounds each
   * source group the same way.
   *
   * @default 0.25
   */
  maxSourceShare: number
  /**
   * Absolute cap on the never-connected peers one source may have in the book (the smaller of
   * this and `maxSourceShare` × capacity applies).
   *
   * @default 64
   */
  maxNewPeersPerSource: number
  /**
   * A peer counts against the source that introduced it for at most this long (sooner when the
   * book drops it or we connect to it).
   *
   * @default 3600000
   */
  sourceShareTtlMs: number
}

/** The defaults of every option (a fresh copy on each call). */
export function defaultPeerExchangeOptions (): PeerExchangeOptions {
  return { ...PEX_DEFAULTS }
}

/**
 * Fills in the defaults of the options not given (an explicit `undefined` also takes the
 * default) and validates the result.
 *
 * @throws {InvalidPeerExchangeOptionsError} when a value is out of range or inconsistent
 */
export function createPeerExchangeOptions (partial: Partial<PeerExchangeOptions> = {}): PeerExchangeOptions {
  const options = defaultPeerExchangeOptions()
  for (const key of Object.keys(options) as Array<keyof PeerExchangeOptions>) {
    const value = partial[key]
    if (value !== undefined) options[key] = value
  }
  validatePeerExchangeOptions(options)
  return options
}

/**
 * Checks each option's range and the options against each other.
 *
 * @throws {InvalidPeerExchangeOptionsError} naming the first offending option
 */
export function validatePeerExchangeOptions (options: PeerExchangeOptions): void {
  const integerAtLeast = (option: keyof PeerExchangeOptions, min: number): void => {
    const value = options[option]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidPeerExchangeOptionsError(option, `must be an integer ≥ ${min}, got ${String(value)}`)
    }
  }
  const ratio = (option: keyof PeerExchangeOptions, { allowZero }: { allowZero: boolean }): void => {
    const value = options[option]
    if (typeof value !== 'number' || !Number.isFinite(value) || value > 1 || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidPeerExchangeOptionsError(option, `must be a number in ${allowZero ? '[0' : '(0'}, 1], got ${String(value)}`)
    }
  }

  integerAtLeast('maxAddressesPerResponse', 1)
  integerAtLeast('maxMessageBytes', 64)
  integerAtLeast('maxAddressBytes', 16)
  ratio('maxInvalidAddressRatio', { allowZero: true })
  integerAtLeast('requestTimeoutMs', 1)
  integerAtLeast('minRequestIntervalMs', 0)
  integerAtLeast('maxInboundStreams', 1)
  integerAtLeast('maxOutboundStreams', 1)
  integerAtLeast('firstRequestDelayMs', 0)
  integerAtLeast('emptyBookDelayMs', 1)
  integerAtLeast('baseRequestDelayMs', 1)
  integerAtLeast('fullBookDelayMs', 1)
  ratio('fullBookRatio', { allowZero: false })
  ratio('requestJitterRatio', { allowZero: true })
  ratio('maxSourceShare', { allowZero: false })
  integerAtLeast('maxNewPeersPerSource', 1)
  integerAtLeast('sourceShareTtlMs', 1)
  if (options.requestJitterRatio >= 1) {
    throw new InvalidPeerExchangeOptionsError('requestJitterRatio', 'must be below 1, or delays could reach zero')
  }

  if (options.maxAddressBytes > options.maxMessageBytes) {
    throw new InvalidPeerExchangeOptionsError('maxAddressBytes', `must not exceed maxMessageBytes (${options.maxMessageBytes})`)
  }
  if (options.emptyBookDelayMs > options.baseRequestDelayMs) {
    throw new InvalidPeerExchangeOptionsError('emptyBookDelayMs', `must not exceed baseRequestDelayMs (${options.baseRequestDelayMs})`)
  }
  if (options.baseRequestDelayMs > options.fullBookDelayMs) {
    throw new InvalidPeerExchangeOptionsError('baseRequestDelayMs', `must not exceed fullBookDelayMs (${options.fullBookDelayMs})`)
  }
  const shortestDelayMs = Math.min(options.emptyBookDelayMs, options.firstRequestDelayMs > 0 ? options.firstRequestDelayMs : Infinity) *
    (1 - options.requestJitterRatio)
  if (options.minRequestIntervalMs > 0 && shortestDelayMs < options.minRequestIntervalMs) {
    throw new InvalidPeerExchangeOptionsError('minRequestIntervalMs',
      `must not exceed the shortest jittered request delay (${shortestDelayMs} ms), or peers with these options would penalise each other`)
  }
}
