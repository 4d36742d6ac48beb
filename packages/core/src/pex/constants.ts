/**
 * Every default and fixed number of the peer exchange protocol, in one place.
 * docs/PROTOCOL.md ("Peer exchange") explains where each comes from.
 */
import { MAX_ADDRESS_URL_BYTES } from '../vocabulary.js'

/** The protocol id negotiated by multistream-select. */
export const PEX_PROTOCOL = '/peermesh/pex/1.0.0'

/**
 * A request frame larger than this is refused. Requests carry one optional varint today; the
 * headroom leaves space for future optional fields.
 */
export const PEX_MAX_REQUEST_BYTES = 1024

/**
 * Misbehaviour points reported for each kind of protocol violation (dash-spv's scale: a ban at
 * 100 points, points decay over time; the PeerManager owns the ban policy).
 */
export const PEX_PENALTY_POINTS = {
  /** Undecodable bytes, a frame that is neither request nor response, an empty stream. */
  'invalid-message': 10,
  /** A frame larger than the byte cap. */
  'oversized-message': 10,
  /** A response with more addresses than `maxAddressesPerResponse`. */
  'too-many-addresses': 10,
  /** A response in which more than `maxInvalidAddressRatio` of the addresses are invalid. */
  'mostly-invalid-addresses': 10,
  /** A request sooner than `minRequestIntervalMs` after the previous one from the same peer. */
  'request-too-soon': 10,
  /** A response where a request was expected, a request where a response was, or an extra frame. */
  'unsolicited-message': 15,
  /** The peer did not finish its side of the exchange within `requestTimeoutMs`. */
  'timeout': 5
} as const

/** The kinds of misbehaviour the peer exchange reports. */
export type PexMisbehaviour = keyof typeof PEX_PENALTY_POINTS

/** Defaults of {@link PeerExchangeOptions}; see each option's TSDoc for its meaning. */
export const PEX_DEFAULTS = {
  maxAddressesPerResponse: 100,
  maxMessageBytes: 32 * 1024,
  maxAddressBytes: MAX_ADDRESS_URL_BYTES,
  maxInvalidAddressRatio: 0.5,
  requestTimeoutMs: 10_000,
  minRequestIntervalMs: 500,
  maxInboundStreams: 2,
  maxOutboundStreams: 2,
  firstRequestDelayMs: 1_000,
  emptyBookDelayMs: 1_000,
  baseRequestDelayMs: 30_000,
  fullBookDelayMs: 10 * 60_000,
  fullBookRatio: 0.95,
  requestJitterRatio: 0.1,
  maxSourceShare: 0.25,
  maxNewPeersPerSource: 64,
  sourceShareTtlMs: 60 * 60_000
} as const

/**
 * A node whose book has no room asks for this many addresses (a refresh), not for
 * `maxAddressesPerResponse`: in a settled mesh every node asks each neighbour every
 * `fullBookDelayMs`, and a full answer of 100 addresses (about 7.5 KB) each time was the whole
 * steady-state peer-exchange traffic (issue 11: ≤ 1 KiB per node per minute).
 */
export const PEX_REFRESH_LIMIT = 10

/** Most entries of the per-source ledger, over all sources (memory bound; see source-share.ts). */
export const PEX_SOURCE_LEDGER_MAX_ENTRIES = 8192
