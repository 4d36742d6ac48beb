/**
 * PeerManager options as a trio, like gossipsub's parameters: {@link defaultPeerManagerOptions},
 * {@link createPeerManagerOptions} (a base set, the defaults or a role preset, with the caller's
 * changes; the rest derived to fit them; validated) and {@link validatePeerManagerOptions}.
 * Presets for a browser tab and for a relay are built with the same factory, so they are
 * validated too.
 *
 * Partial options mean "change these, derive the rest": `{ maxConnected: 6 }` over the defaults
 * (outbound cap 12) lowers the outbound cap to 6 instead of failing. A value the caller set is
 * never changed; an error names only values the caller set that conflict with each other.
 *
 * For every count and duration, 0 means "unlimited" or "off" (documented per option), so an
 * all-zero options object is valid: an unbounded manager that never retries a failed address.
 */
import { MAX_ADDRESSES_PER_PEER } from '../vocabulary.js'
import type { PeerRole } from '../vocabulary.js'
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
   * Retry delay unit for a peer that took our connection and hung up because it was full: after
   * `n` such refusals in a row it waits `refusedRetryTimeMs × 2^(n − 1) + jitter` (capped like
   * any retry). A full peer usually stays full, and in a large mesh every node redialling its one
   * bootstrap at a steady pace is what keeps the bootstrap's few spare slots taken. 0: use
   * `minRetryTimeMs`.
   *
   * @default 5_000
   */
  refusedRetryTimeMs: number
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
  refusedRetryTimeMs: 5 * SECOND_MS,
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
  'minRetryTimeMs', 'refusedRetryTimeMs', 'maxRetryTimeMs', 'maxRetryTimePersistentMs', 'retryTimeJitterMs',
  'disconnectCooldownMs', 'advertiseMaxAgeMs', 'expireAfterMs', 'misbehaviourBanThreshold',
  'misbehaviourDecayPerHour', 'banTtlMs'
] as const satisfies ReadonlyArray<keyof PeerManagerOptions>

type OptionKey = keyof PeerManagerOptions

/** One problem and the options it is about (so that a caller's error names only what it set). */
interface OptionsProblem {
  text: string
  keys: readonly OptionKey[]
}

function typeProblems (options: PeerManagerOptions): OptionsProblem[] {
  const problems: OptionsProblem[] = []
  for (const key of COUNT_OPTIONS) {
    const value: unknown = options[key]
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push({ text: `${key} must be an integer ≥ 0 (got ${String(value)})`, keys: [key] })
    }
  }
  for (const key of AMOUNT_OPTIONS) {
    const value: unknown = options[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push({ text: `${key} must be a finite number ≥ 0 (got ${String(value)})`, keys: [key] })
    }
  }
  if (typeof options.allowPrivateAddresses !== 'boolean') {
    problems.push({ text: 'allowPrivateAddresses must be a boolean', keys: ['allowPrivateAddresses'] })
  }
  return problems
}

/** The keys of `options` whose values are of the wrong type or out of range. */
function badKeys (options: PeerManagerOptions): Set<OptionKey> {
  return new Set(typeProblems(options).flatMap(p => p.keys))
}

/**
 * Every problem: values of the wrong type, then conflicts between the others (a conflict with a
 * malformed value is not judged).
 */
function optionsProblems (options: PeerManagerOptions, persistentPeers: number): OptionsProblem[] {
  const malformed = typeProblems(options)
  const bad = new Set(malformed.flatMap(p => p.keys))
  const problems: OptionsProblem[] = []
  const wellFormed: PeerManagerOptions = { ...options }
  for (const key of bad) (wellFormed as unknown as Record<string, unknown>)[key] = key === 'allowPrivateAddresses' ? true : 0

  const {
    maxConnected, maxOutgoingConnections, maxConnectedUpgrade, minConnected, maxPeers,
    minRetryTimeMs, maxRetryTimeMs, maxRetryTimePersistentMs, maxAddressesPerPeer
  } = wellFormed
  const problem = (text: string, ...keys: OptionKey[]): void => {
    if (!keys.some(key => bad.has(key))) problems.push({ text, keys })
  }
  if (maxConnected > 0 && maxOutgoingConnections > maxConnected) {
    problem(`maxOutgoingConnections ${maxOutgoingConnections} exceeds maxConnected ${maxConnected}`, 'maxOutgoingConnections', 'maxConnected')
  }
  if (maxConnected > 0 && minConnected > maxConnected) {
    problem(`minConnected ${minConnected} exceeds maxConnected ${maxConnected}`, 'minConnected', 'maxConnected')
  }
  if (maxConnected > 0 && persistentPeers > maxConnected) {
    problem(`${persistentPeers} persistent peers exceed maxConnected ${maxConnected}`, 'maxConnected')
  }
  if (maxPeers > 0) {
    if (maxConnected === 0) {
      problem(`maxPeers ${maxPeers} needs a maxConnected limit`, 'maxPeers', 'maxConnected')
    } else if (maxConnected + maxConnectedUpgrade > maxPeers) {
      if (maxConnectedUpgrade === 0) problem(`maxConnected ${maxConnected} exceeds maxPeers ${maxPeers}`, 'maxConnected', 'maxPeers')
      else problem(`maxConnected ${maxConnected} + maxConnectedUpgrade ${maxConnectedUpgrade} exceed maxPeers ${maxPeers}`, 'maxConnected', 'maxConnectedUpgrade', 'maxPeers')
    }
  }
  for (const cap of ['maxRetryTimeMs', 'maxRetryTimePersistentMs'] as const) {
    const capMs = cap === 'maxRetryTimeMs' ? maxRetryTimeMs : maxRetryTimePersistentMs
    if (capMs === 0) continue
    if (minRetryTimeMs === 0) problem(`${cap} needs minRetryTimeMs`, cap, 'minRetryTimeMs')
    else if (minRetryTimeMs > capMs) problem(`minRetryTimeMs ${minRetryTimeMs} exceeds ${cap} ${capMs}`, 'minRetryTimeMs', cap)
  }
  if (maxAddressesPerPeer > MAX_ADDRESSES_PER_PEER) {
    problem(`maxAddressesPerPeer ${maxAddressesPerPeer} exceeds the store's limit of ${MAX_ADDRESSES_PER_PEER}`, 'maxAddressesPerPeer')
  }
  return [...malformed, ...problems]
}

/**
 * Lists every problem with `options`, including the count of persistent peers when given.
 * Empty when the options are valid.
 */
export function peerManagerOptionsProblems (options: PeerManagerOptions, persistentPeers = 0): string[] {
  return optionsProblems(options, persistentPeers).map(p => p.text)
}

/**
 * Checks complete options against each other and returns them unchanged.
 *
 * @throws {InvalidPeerManagerOptionsError} listing every conflict
 */
export function validatePeerManagerOptions (options: PeerManagerOptions): PeerManagerOptions {
  const problems = peerManagerOptionsProblems(options)
  if (problems.length > 0) throw new InvalidPeerManagerOptionsError(problems)
  return options
}

interface Derivation {
  options: PeerManagerOptions
  /** The keys the caller set (a defined value for a known option). */
  set: ReadonlySet<OptionKey>
  /** Conflicts between set values that no derived value can bridge. */
  conflicts: string[]
}

/**
 * `base` with `overrides` applied, each option the caller left out adjusted to fit the ones it
 * set. Set values are never changed, and a derived value is only moved as far as needed, so
 * options that were already consistent come out as they went in. In this order:
 *
 * 1. `maxConnected` (not set): raised to a set `maxOutgoingConnections` or `minConnected`;
 *    under a set `maxPeers`, lowered to leave room for the upgrade slots.
 * 2. `maxOutgoingConnections`, `minConnected` (not set): lowered to `maxConnected`.
 * 3. `maxPeers` (not set): raised to `maxConnected + maxConnectedUpgrade`, or 0 (unlimited) when
 *    `maxConnected` is; `maxConnectedUpgrade` (not set): lowered to what a set `maxPeers` leaves.
 * 4. `minRetryTimeMs` (not set): lowered to a set retry cap (the default unit when the base never
 *    retries); the caps (not set): raised to `minRetryTimeMs`, or off when it is 0.
 */
function derivePeerManagerOptions (overrides: Partial<PeerManagerOptions>, base: Readonly<PeerManagerOptions>): Derivation {
  const merged: PeerManagerOptions = { ...base }
  const set = new Set<OptionKey>()
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in merged) {
      (merged as unknown as Record<string, unknown>)[key] = value
      set.add(key as OptionKey)
    }
  }
  const conflicts: string[] = []
  // a malformed base: reported as it is by validation, nothing to derive from
  if (badKeys(base).size > 0) return { options: merged, set, conflicts }
  // a malformed value set by the caller is reported by validation; derive around it (from the
  // base's value) and put it back at the end
  const bad = badKeys(merged)
  const o: PeerManagerOptions = { ...merged }
  for (const key of bad) (o as unknown as Record<string, unknown>)[key] = base[key]
  const derived = (key: OptionKey): boolean => !set.has(key) || bad.has(key)

  // 1. the hub: maxConnected
  if (derived('maxConnected')) {
    const floors = (['maxOutgoingConnections', 'minConnected'] as const).filter(k => !derived(k) && o[k] > 0)
    const floorKey = floors.sort((a, b) => o[b] - o[a])[0]
    const floor = floorKey === undefined ? 0 : o[floorKey]
    if (!derived('maxPeers') && o.maxPeers > 0) {
      const upgradeSet = !derived('maxConnectedUpgrade')
      const need = Math.max(1, floor)
      if (o.maxPeers - (upgradeSet ? o.maxConnectedUpgrade : 0) < need) {
        const upgrade = upgradeSet ? ` + maxConnectedUpgrade ${o.maxConnectedUpgrade}` : ''
        conflicts.push(floorKey === undefined
          ? `maxConnectedUpgrade ${o.maxConnectedUpgrade} leaves no connection under maxPeers ${o.maxPeers}`
          : `${floorKey} ${floor}${upgrade} exceed${upgrade === '' ? 's' : ''} maxPeers ${o.maxPeers}`)
      } else {
        const ceiling = o.maxPeers - o.maxConnectedUpgrade
        o.maxConnected = Math.max(need, o.maxConnected === 0 ? ceiling : Math.min(o.maxConnected, ceiling))
      }
    } else if (o.maxConnected > 0) {
      o.maxConnected = Math.max(o.maxConnected, floor)
    }
  }
  // 2. what maxConnected bounds
  if (o.maxConnected > 0) {
    if (derived('maxOutgoingConnections')) o.maxOutgoingConnections = Math.min(o.maxOutgoingConnections, o.maxConnected)
    if (derived('minConnected')) o.minConnected = Math.min(o.minConnected, o.maxConnected)
  }
  // 3. the address book and the upgrade slots
  if (o.maxConnected === 0) {
    if (derived('maxPeers')) o.maxPeers = 0
  } else if (o.maxPeers > 0) {
    if (derived('maxPeers')) o.maxPeers = Math.max(o.maxPeers, o.maxConnected + o.maxConnectedUpgrade)
    else if (derived('maxConnectedUpgrade')) o.maxConnectedUpgrade = Math.min(o.maxConnectedUpgrade, Math.max(0, o.maxPeers - o.maxConnected))
  }
  // 4. retry delays
  const caps = ['maxRetryTimeMs', 'maxRetryTimePersistentMs'] as const
  if (derived('minRetryTimeMs')) {
    const setCaps = caps.filter(k => !derived(k) && o[k] > 0).map(k => o[k])
    if (setCaps.length > 0) {
      if (o.minRetryTimeMs === 0) o.minRetryTimeMs = defaultPeerManagerOptions.minRetryTimeMs
      o.minRetryTimeMs = Math.min(o.minRetryTimeMs, ...setCaps)
    }
  }
  for (const cap of caps) {
    if (derived(cap) && o[cap] > 0) o[cap] = o.minRetryTimeMs === 0 ? 0 : Math.max(o[cap], o.minRetryTimeMs)
  }
  for (const key of bad) (o as unknown as Record<string, unknown>)[key] = merged[key]
  return { options: o, set, conflicts }
}

/**
 * The options `base` (the defaults unless given, e.g. a role preset) becomes with `overrides`
 * applied and the rest derived to fit them (see the module doc), validated. `undefined` values
 * and unknown keys are ignored.
 *
 * @throws {InvalidPeerManagerOptionsError} listing every problem at once; a conflict names only
 * options the caller set (`maxOutgoingConnections 12 exceeds maxConnected 6` only when both were
 * given)
 *
 * @example
 * ```ts
 * createPeerManagerOptions({ maxConnected: 6 }) // maxOutgoingConnections 6, minConnected 4
 * createPeerManagerOptions({ maxConnected: 4 }, browserPeerManagerOptions) // outbound 4, minConnected 3
 * ```
 */
export function createPeerManagerOptions (
  overrides: Partial<PeerManagerOptions> = {},
  base: Readonly<PeerManagerOptions> = defaultPeerManagerOptions
): PeerManagerOptions {
  const { options, set, conflicts } = derivePeerManagerOptions(overrides, base)
  const problems = [...conflicts]
  for (const problem of optionsProblems(options, 0)) {
    const derivedKeys = problem.keys.filter(key => !set.has(key))
    // all set (the caller's conflict) or none set (the base itself is invalid): as it is
    if (derivedKeys.length === 0 || derivedKeys.length === problem.keys.length) problems.push(problem.text)
    // a derived value caught between set ones: the conflict above already says which
    else if (conflicts.length === 0) problems.push(`${problem.text} (${derivedKeys.join(', ')} derived)`)
  }
  if (problems.length > 0) throw new InvalidPeerManagerOptionsError(problems)
  return options
}

/**
 * Like {@link createPeerManagerOptions} without the validation: `base` (the defaults unless given)
 * with `overrides` applied (known keys only, `undefined` ignored) and the rest derived to fit.
 */
export function mergePeerManagerOptions (
  overrides: Partial<PeerManagerOptions> = {},
  base: Readonly<PeerManagerOptions> = defaultPeerManagerOptions
): PeerManagerOptions {
  return derivePeerManagerOptions(overrides, base).options
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

/** The preset a node of `role` starts from: relays and browsers have their own, a `node` the defaults. */
export function peerManagerPresetFor (role: PeerRole): Readonly<PeerManagerOptions> {
  if (role === 'relay') return relayPeerManagerOptions
  if (role === 'browser') return browserPeerManagerOptions
  return defaultPeerManagerOptions
}
