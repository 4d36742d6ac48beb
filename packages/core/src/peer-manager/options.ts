/**
 * PeerManager options as a trio, like gossipsub's parameters: {@link defaultPeerManagerOptions},
 * {@link createPeerManagerOptions} (defaults + overrides, validated) and
 * {@link validatePeerManagerOptions}. Presets for a browser tab and for a relay are built with
 * the same factory, so they are validated too.
 *
 * For every count and duration, 0 means "unlimited" or "off" (documented per option), so an
 * all-zero options object is valid: an unbounded manager that never retries a failed address.
 */
import { MAX_ADDRESSES_PER_PEER } from '../store/peer-record-codec.js'
import { InvalidPeerManagerOptionsError } from './errors.js'

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

export interface PeerManagerOptions {
  /**
   * Most connections (inbound + outbound) kept at once; dials in flight count toward it.
   * 0: unlimited.
   *
   * @default 64
   */
  maxConnected: number
  /**
   * Most outbound connections (connected + being dialed). Keep it well below `maxConnected`, or
   * newcomers find every slot taken by outbound dials and are locked out. While fewer than
   * `minConnected` peers are connected this cap is lifted (see `minConnected`). 0: unlimited.
   *
   * @default 12
   */
  maxOutgoingConnections: number
  /**
   * Extra connection slots, above `maxConnected`, used only to connect a peer that outscores a
   * connected one; the lower peer is then evicted. 0: no upgrades.
   *
   * @default 4
   */
  maxConnectedUpgrade: number
  /**
   * The minimum degree the manager works to keep. While `connected + dialing < minConnected`,
   * `tryDialNext()` hands out dials even when `maxOutgoingConnections` is reached (a node that
   * nobody dials must still reach its floor by itself); `maxConnected` always applies. Below it,
   * `wantsMorePeers()` is true. libp2p 3 has no such floor since its autodialer was removed.
   * 0: no floor.
   *
   * @default 4
   */
  minConnected: number
  /**
   * Most peers kept in the address book (and the store). When exceeded, the lowest-ranked peer
   * that is neither connected, being dialed nor persistent is deleted. 0: unlimited.
   *
   * @default 260
   */
  maxPeers: number
  /**
   * Retry delay unit: after `n` consecutive failures an address waits
   * `minRetryTimeMs × n + jitter` before it is dialed again. 0: a failed address is never retried.
   *
   * @default 250
   */
  minRetryTimeMs: number
  /**
   * Cap of the retry delay. 0: uncapped.
   *
   * @default 1_800_000 (30 minutes)
   */
  maxRetryTimeMs: number
  /**
   * Cap of the retry delay for persistent peers. 0: use `maxRetryTimeMs`.
   *
   * @default 300_000 (5 minutes)
   */
  maxRetryTimePersistentMs: number
  /**
   * Upper bound of the random delay added to each retry, so that restarted nodes do not redial in
   * lockstep. 0: no jitter.
   *
   * @default 5_000
   */
  retryTimeJitterMs: number
  /**
   * After a peer disconnects it is not redialed for this long (lets the other side finish
   * closing, and stops a flapping peer from being redialed in a tight loop). 0: no cooldown.
   *
   * @default 2_000
   */
  disconnectCooldownMs: number
  /**
   * Most addresses stored per peer from gossip; `config` and `verified` addresses are exempt,
   * but no peer ever holds more than the store's limit of 64. 0: only that limit.
   *
   * @default 8
   */
  maxAddressesPerPeer: number
  /**
   * Most stored addresses in one network group (`addressGroup()`: an IPv4 /24, an IPv6 /48…)
   * that gossip may add: one subnet cannot fill the address book (an eclipse attempt).
   * Relayed addresses use `maxAddressesPerRelay` instead. 0: unlimited.
   *
   * @default 32
   */
  maxAddressesPerGroup: number
  /**
   * Most stored gossip addresses reached through one relay. Larger than the subnet cap because
   * in a browser mesh most peers share a relay, but still bounded so that one relay cannot fill
   * the whole book. 0: unlimited.
   *
   * @default 128
   */
  maxAddressesPerRelay: number
  /**
   * Whether gossip may add loopback and private (RFC 1918, ULA, link-local) addresses. On for
   * tests and LAN meshes; turn it off on public nodes so that peers cannot make us dial into our
   * own network. Addresses from config or verified by a connection are always accepted.
   *
   * @default true
   */
  allowPrivateAddresses: boolean
  /**
   * `advertise()` only hands out peers seen (connected, or advertised to us) within this window,
   * as Zebra gossips only peers seen in the last 3 hours. 0: no age limit.
   *
   * @default 10_800_000 (3 hours)
   */
  advertiseMaxAgeMs: number
  /**
   * A peer we never connected to and have not heard of for this long is deleted (on open and
   * as new addresses arrive). Persistent peers and configured addresses are kept. 0: never.
   *
   * @default 604_800_000 (7 days)
   */
  expireAfterMs: number
  /**
   * Misbehaviour points at which a peer is banned for `banTtlMs`. 0: never ban for points.
   *
   * @default 100
   */
  misbehaviourBanThreshold: number
  /**
   * Misbehaviour points forgiven per hour (continuously), as in dash-spv. 0: points never decay.
   *
   * @default 5
   */
  misbehaviourDecayPerHour: number
  /**
   * How long a ban lasts when no other duration is given. 0: bans issued without an explicit
   * duration last forever.
   *
   * @default 86_400_000 (24 hours)
   */
  banTtlMs: number
}

/** Points for typical offences, for `misbehaved()` (dash-spv's values). */
export const misbehaviourPoints = Object.freeze({
  /** A message that fails to decode or validate. */
  invalidMessage: 10,
  /** A request the peer did not answer in time. */
  timeout: 5,
  /** Data we never asked for (an unsolicited PEX response…). */
  unsolicited: 15
})

/** The general defaults: CometBFT's production values plus our additions. */
export const defaultPeerManagerOptions: Readonly<PeerManagerOptions> = Object.freeze({
  maxConnected: 64,
  maxOutgoingConnections: 12,
  maxConnectedUpgrade: 4,
  minConnected: 4,
  maxPeers: 260,
  minRetryTimeMs: 250,
  maxRetryTimeMs: 30 * MINUTE_MS,
  maxRetryTimePersistentMs: 5 * MINUTE_MS,
  retryTimeJitterMs: 5 * SECOND_MS,
  disconnectCooldownMs: 2 * SECOND_MS,
  maxAddressesPerPeer: 8,
  maxAddressesPerGroup: 32,
  maxAddressesPerRelay: 128,
  allowPrivateAddresses: true,
  advertiseMaxAgeMs: 3 * HOUR_MS,
  expireAfterMs: 7 * DAY_MS,
  misbehaviourBanThreshold: 100,
  misbehaviourDecayPerHour: 5,
  banTtlMs: DAY_MS
})

const COUNT_OPTIONS = [
  'maxConnected', 'maxOutgoingConnections', 'maxConnectedUpgrade', 'minConnected', 'maxPeers',
  'maxAddressesPerPeer', 'maxAddressesPerGroup', 'maxAddressesPerRelay'
] as const satisfies ReadonlyArray<keyof PeerManagerOptions>

const AMOUNT_OPTIONS = [
  'minRetryTimeMs', 'maxRetryTimeMs', 'maxRetryTimePersistentMs', 'retryTimeJitterMs',
  'disconnectCooldownMs', 'advertiseMaxAgeMs', 'expireAfterMs', 'misbehaviourBanThreshold',
  'misbehaviourDecayPerHour', 'banTtlMs'
] as const satisfies ReadonlyArray<keyof PeerManagerOptions>

/**
 * Lists every problem with `options`, including the count of persistent peers when given.
 * Empty when the options are valid.
 */
export function peerManagerOptionsProblems (options: PeerManagerOptions, persistentPeers = 0): string[] {
  const problems: string[] = []
  for (const key of COUNT_OPTIONS) {
    const value: unknown = options[key]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push(`${key} must be an integer ≥ 0 (got ${String(value)})`)
    }
  }
  for (const key of AMOUNT_OPTIONS) {
    const value: unknown = options[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`${key} must be a finite number ≥ 0 (got ${String(value)})`)
    }
  }
  if (typeof options.allowPrivateAddresses !== 'boolean') {
    problems.push('allowPrivateAddresses must be a boolean')
  }
  if (problems.length > 0) return problems

  const {
    maxConnected, maxOutgoingConnections, maxConnectedUpgrade, minConnected, maxPeers,
    minRetryTimeMs, maxRetryTimeMs, maxRetryTimePersistentMs, maxAddressesPerPeer
  } = options
  if (maxConnected > 0 && maxOutgoingConnections > maxConnected) {
    problems.push(`maxOutgoingConnections ${maxOutgoingConnections} exceeds maxConnected ${maxConnected}`)
  }
  if (maxConnected > 0 && minConnected > maxConnected) {
    problems.push(`minConnected ${minConnected} exceeds maxConnected ${maxConnected}`)
  }
  if (maxConnected > 0 && persistentPeers > maxConnected) {
    problems.push(`${persistentPeers} persistent peers exceed maxConnected ${maxConnected}`)
  }
  if (maxPeers > 0) {
    if (maxConnected === 0) {
      problems.push(`maxPeers ${maxPeers} needs a maxConnected limit`)
    } else if (maxConnected + maxConnectedUpgrade > maxPeers) {
      problems.push(`maxConnected ${maxConnected} + maxConnectedUpgrade ${maxConnectedUpgrade} exceed maxPeers ${maxPeers}`)
    }
  }
  if (maxRetryTimeMs > 0) {
    if (minRetryTimeMs === 0) problems.push('maxRetryTimeMs needs minRetryTimeMs')
    else if (minRetryTimeMs > maxRetryTimeMs) problems.push(`minRetryTimeMs ${minRetryTimeMs} exceeds maxRetryTimeMs ${maxRetryTimeMs}`)
  }
  if (maxRetryTimePersistentMs > 0) {
    if (minRetryTimeMs === 0) problems.push('maxRetryTimePersistentMs needs minRetryTimeMs')
    else if (minRetryTimeMs > maxRetryTimePersistentMs) problems.push(`minRetryTimeMs ${minRetryTimeMs} exceeds maxRetryTimePersistentMs ${maxRetryTimePersistentMs}`)
  }
  if (maxAddressesPerPeer > MAX_ADDRESSES_PER_PEER) {
    problems.push(`maxAddressesPerPeer ${maxAddressesPerPeer} exceeds the store's limit of ${MAX_ADDRESSES_PER_PEER}`)
  }
  return problems
}

/**
 * Checks the options against each other and returns them unchanged.
 *
 * @throws {InvalidPeerManagerOptionsError} listing every conflict
 */
export function validatePeerManagerOptions (options: PeerManagerOptions): PeerManagerOptions {
  const problems = peerManagerOptionsProblems(options)
  if (problems.length > 0) throw new InvalidPeerManagerOptionsError(problems)
  return options
}

/**
 * The defaults with `overrides` applied, validated. `undefined` values are ignored.
 *
 * @throws {InvalidPeerManagerOptionsError} listing every conflict
 */
export function createPeerManagerOptions (overrides: Partial<PeerManagerOptions> = {}): PeerManagerOptions {
  return validatePeerManagerOptions(mergePeerManagerOptions(overrides))
}

/** The defaults with `overrides` applied (known keys only, `undefined` ignored), not validated. */
export function mergePeerManagerOptions (overrides: Partial<PeerManagerOptions> = {}): PeerManagerOptions {
  const options: PeerManagerOptions = { ...defaultPeerManagerOptions }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in options) (options as unknown as Record<string, unknown>)[key] = value
  }
  return options
}

/**
 * A browser tab: a handful of WebRTC peers, a small address book, quick retries (tabs live
 * minutes, not months). Nearly every peer of a tab is reached through the same relay, so the
 * per-relay cap is most of the book.
 */
export const browserPeerManagerOptions: Readonly<PeerManagerOptions> = Object.freeze(createPeerManagerOptions({
  maxConnected: 8,
  maxOutgoingConnections: 6,
  maxConnectedUpgrade: 2,
  minConnected: 3,
  maxPeers: 200,
  maxRetryTimeMs: 5 * MINUTE_MS,
  maxRetryTimePersistentMs: MINUTE_MS,
  maxAddressesPerGroup: 16,
  maxAddressesPerRelay: 150
}))

/**
 * A relay or other always-on server: many inbound peers (mostly browsers), few outbound dials,
 * a large address book to serve peer exchange from.
 */
export const relayPeerManagerOptions: Readonly<PeerManagerOptions> = Object.freeze(createPeerManagerOptions({
  maxConnected: 200,
  maxOutgoingConnections: 16,
  maxConnectedUpgrade: 8,
  minConnected: 4,
  maxPeers: 2000,
  maxAddressesPerGroup: 64,
  maxAddressesPerRelay: 1000
}))
