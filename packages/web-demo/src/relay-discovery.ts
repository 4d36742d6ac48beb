/**
 * Where the tab finds its first peers, and the invite links that carry them to another browser.
 *
 * Sources, all optional and all used together (none of them blocks the node's start):
 * - `?relay=<NodeAddress URL>` (repeatable) and `?peer=<NodeAddress URL>` (repeatable) in the page
 *   URL; an invite link is the page URL with the inviter's relays and its own addresses;
 * - `/api/bootstrap` on the page's own origin, answered by a relay started with `--serve-demo`
 *   (or by the vite dev server's proxy) with `{ peerId, addresses }`;
 * - the "add a relay or peer" field of the page.
 *
 * These functions only shape and bound strings; the caller validates each address with
 * `parseNodeAddress` from `@peermesh/core` before handing it to the node.
 */

import { validateIceServers } from '@peermesh/core'

/** The page URL parameter that names a relay to bootstrap from. */
export const RELAY_PARAM = 'relay'
/** The page URL parameter that names a peer (the inviter) to dial directly. */
export const PEER_PARAM = 'peer'

/** Bounds on everything discovery reads, in one place. */
export const DISCOVERY_LIMITS = {
  /** At most this many `relay` and this many `peer` parameters are read from a URL. */
  maxAddressesPerParam: 8,
  /** Longer address strings are ignored. */
  maxAddressLength: 1024,
  /** At most this many addresses are read from `/api/bootstrap`. */
  maxBootstrapAddresses: 16,
  /** A larger `/api/bootstrap` body is rejected. */
  maxBootstrapBodyBytes: 64 * 1024,
  /** `/api/bootstrap` must answer within this time. */
  bootstrapTimeoutMs: 5000
} as const

/** The path, on the page's own origin, of the relay's bootstrap endpoint. */
export const BOOTSTRAP_PATH = '/api/bootstrap'

/** Addresses named by a page URL. */
export interface PageUrlAddresses {
  relays: string[]
  peers: string[]
}

/** The `/api/bootstrap` answer was not `{ peerId: string, addresses: string[] }` within bounds. */
export class InvalidBootstrapResponseError extends Error {
  override name = 'InvalidBootstrapResponseError'
}

/** `/api/bootstrap` could not be fetched (no relay behind this origin, network error, timeout). */
export class BootstrapUnavailableError extends Error {
  override name = 'BootstrapUnavailableError'
}

/** Trims, drops empty and over-long strings and duplicates, keeps the first `max`. */
export function boundAddressList (values: Iterable<unknown>, max: number): string[] {
  const out: string[] = []
  for (const value of values) {
    if (out.length >= max) break
    if (typeof value !== 'string') continue
    const trimmed = value.trim()
    if (trimmed === '' || trimmed.length > DISCOVERY_LIMITS.maxAddressLength) continue
    if (!out.includes(trimmed)) out.push(trimmed)
  }
  return out
}

/** Reads the `relay` and `peer` parameters of a page URL. */
export function addressesFromPageUrl (pageUrl: URL | string): PageUrlAddresses {
  const params = new URL(pageUrl).searchParams
  const max = DISCOVERY_LIMITS.maxAddressesPerParam
  return {
    relays: boundAddressList(params.getAll(RELAY_PARAM), max),
    peers: boundAddressList(params.getAll(PEER_PARAM), max)
  }
}

/**
 * The invite link for this tab: the page URL (other parameters kept, fragment dropped) with the
 * given relays and this peer's own addresses.
 */
export function createInviteLink (pageUrl: URL | string, invite: PageUrlAddresses): string {
  const url = new URL(pageUrl)
  url.hash = ''
  url.searchParams.delete(RELAY_PARAM)
  url.searchParams.delete(PEER_PARAM)
  const max = DISCOVERY_LIMITS.maxAddressesPerParam
  for (const relay of boundAddressList(invite.relays, max)) url.searchParams.append(RELAY_PARAM, relay)
  for (const peer of boundAddressList(invite.peers, max)) url.searchParams.append(PEER_PARAM, peer)
  return url.toString()
}

/** The page URL with `relay` added (once), for `history.replaceState` after the user adds one. */
export function withRelayParam (pageUrl: URL | string, relay: string): string {
  const url = new URL(pageUrl)
  const relays = url.searchParams.getAll(RELAY_PARAM)
  if (!relays.includes(relay) && relays.length < DISCOVERY_LIMITS.maxAddressesPerParam) {
    url.searchParams.append(RELAY_PARAM, relay)
  }
  return url.toString()
}

/** The relay's own description, as answered by `/api/bootstrap`. */
export interface BootstrapInfo {
  peerId: string
  addresses: string[]
  /** The relay operator's ICE servers for pages (TURN credentials fresh); absent from older relays. */
  iceServers?: RTCIceServer[]
}

/** Validates an `/api/bootstrap` body (already parsed JSON). */
export function parseBootstrapResponse (body: unknown): BootstrapInfo {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidBootstrapResponseError('/api/bootstrap did not answer with a JSON object')
  }
  const { peerId, addresses } = body as Record<string, unknown>
  if (typeof peerId !== 'string' || peerId === '' || peerId.length > DISCOVERY_LIMITS.maxAddressLength) {
    throw new InvalidBootstrapResponseError('/api/bootstrap answer has no valid "peerId"')
  }
  if (!Array.isArray(addresses)) {
    throw new InvalidBootstrapResponseError('/api/bootstrap answer has no "addresses" array')
  }
  const bounded = boundAddressList(addresses, DISCOVERY_LIMITS.maxBootstrapAddresses)
  if (bounded.length === 0) {
    throw new InvalidBootstrapResponseError('/api/bootstrap answer lists no usable address')
  }
  const { iceServers } = body as Record<string, unknown>
  if (iceServers === undefined) return { peerId, addresses: bounded }
  try {
    return { peerId, addresses: bounded, iceServers: validateIceServers(iceServers) }
  } catch (err) {
    throw new InvalidBootstrapResponseError(`/api/bootstrap answer has invalid "iceServers": ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

export interface FetchBootstrapInit {
  /** The page origin, e.g. `location.origin`. */
  origin: string
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
  /** @default DISCOVERY_LIMITS.bootstrapTimeoutMs */
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * Asks the page's own origin for its relay's addresses.
 * @throws {BootstrapUnavailableError} when nothing usable answers (e.g. a static host or vite without proxy)
 * @throws {InvalidBootstrapResponseError} when the answer is malformed or too large
 */
export async function fetchBootstrap (init: FetchBootstrapInit): Promise<BootstrapInfo> {
  const doFetch = init.fetch ?? globalThis.fetch
  const timeout = AbortSignal.timeout(init.timeoutMs ?? DISCOVERY_LIMITS.bootstrapTimeoutMs)
  const signal = init.signal == null ? timeout : AbortSignal.any([timeout, init.signal])
  const url = new URL(BOOTSTRAP_PATH, init.origin)
  let text: string
  try {
    const response = await doFetch(url, { signal, headers: { accept: 'application/json' } })
    if (!response.ok) throw new BootstrapUnavailableError(`${url.href} answered HTTP ${response.status}`)
    const declared = Number(response.headers.get('content-length') ?? '0')
    if (declared > DISCOVERY_LIMITS.maxBootstrapBodyBytes) {
      throw new InvalidBootstrapResponseError(`${url.href} answer is larger than ${DISCOVERY_LIMITS.maxBootstrapBodyBytes} bytes`)
    }
    text = await response.text()
  } catch (err) {
    if (err instanceof BootstrapUnavailableError || err instanceof InvalidBootstrapResponseError) throw err
    throw new BootstrapUnavailableError(`Could not fetch ${url.href}`, { cause: err })
  }
  if (text.length > DISCOVERY_LIMITS.maxBootstrapBodyBytes) {
    throw new InvalidBootstrapResponseError(`${url.href} answer is larger than ${DISCOVERY_LIMITS.maxBootstrapBodyBytes} bytes`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    throw new InvalidBootstrapResponseError(`${url.href} did not answer with JSON`, { cause: err })
  }
  return parseBootstrapResponse(body)
}

/**
 * The order in which a tab tries a relay's addresses: `wss`, then `ws`, then `webrtc-direct`
 * (which needs no CA certificate), then anything else, each group in its given order. The
 * PeerManager dials a peer's addresses in this order and moves to the next one after a failure
 * (an address that failed goes behind those that have not), so a tab falls back from the
 * WebSocket to WebRTC-Direct and back. A page served over `https:` cannot open `ws://` (mixed
 * content), so those are left out there.
 */
export function relayAddressesInDialOrder (addresses: readonly string[], pageProtocol: string): string[] {
  const rank = (address: string): number => {
    const scheme = address.slice(0, address.indexOf('://'))
    const index = RELAY_SCHEME_ORDER.indexOf(scheme)
    return index === -1 ? RELAY_SCHEME_ORDER.length : index
  }
  return addresses
    .filter(address => pageProtocol !== 'https:' || !address.startsWith('ws://'))
    .map((address, index) => ({ address, index, rank: rank(address) }))
    .sort((a, b) => (a.rank - b.rank) || (a.index - b.index))
    .map(entry => entry.address)
}

const RELAY_SCHEME_ORDER = ['wss', 'ws', 'webrtc-direct']

/** The localStorage key under which the origin's last `/api/bootstrap` answer is kept. */
export const BOOTSTRAP_CACHE_KEY = 'peermesh-bootstrap'

/** The subset of `Storage` the bootstrap cache uses. */
export interface BootstrapCacheStorage {
  getItem: (key: string) => string | null
  setItem: (key: string, value: string) => void
  removeItem: (key: string) => void
}

/**
 * The origin's relay as last seen, so that a reload can start the node with it as a bootstrap
 * (persistent) peer at once, without waiting for `/api/bootstrap`. Anything unreadable is
 * dropped and treated as no cache.
 */
export function readCachedBootstrap (storage: BootstrapCacheStorage): BootstrapInfo | undefined {
  const text = storage.getItem(BOOTSTRAP_CACHE_KEY)
  if (text === null) return undefined
  try {
    if (text.length > DISCOVERY_LIMITS.maxBootstrapBodyBytes) throw new InvalidBootstrapResponseError('cached bootstrap answer too large')
    return parseBootstrapResponse(JSON.parse(text))
  } catch {
    storage.removeItem(BOOTSTRAP_CACHE_KEY)
    return undefined
  }
}

export function writeCachedBootstrap (storage: BootstrapCacheStorage, info: BootstrapInfo): void {
  storage.setItem(BOOTSTRAP_CACHE_KEY, JSON.stringify({ peerId: info.peerId, addresses: info.addresses }))
}
