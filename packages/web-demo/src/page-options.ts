/**
 * Node options a page URL may set, for experiments and tests: `?maxConnected=<n>` caps this tab's
 * connections (the e2e suite uses it to check that a small limit holds and the mesh stays whole).
 * Anything malformed or out of range is ignored with a note; the core defaults apply.
 *
 * `?ice=` names the ICE servers (STUN/TURN) for a page served somewhere other than its relay, in
 * the relay's `--ice-servers` syntax: comma-separated URLs or a JSON array of `RTCIceServer`s. It
 * wins over the relay's `/api/bootstrap` list. A malformed value stops the start with
 * {@link InvalidIceParamError}: a user who asked for TURN must not silently get none.
 */
import { InvalidIceServersError, createPeerManagerOptions, parseIceServersText, type PeerManagerOptions } from '@peermesh/core'

/** The page URL parameter that names the ICE servers. */
export const ICE_PARAM = 'ice'

/** `?ice=` is malformed; the message says what is wrong and what is expected. */
export class InvalidIceParamError extends Error {
  override name = 'InvalidIceParamError'
}

/**
 * The ICE servers of `?ice=`, or undefined when the page URL has none.
 *
 * @throws {InvalidIceParamError}
 */
export function iceServersFromUrl (pageUrl: URL | string): RTCIceServer[] | undefined {
  const raw = new URL(pageUrl).searchParams.get(ICE_PARAM)
  if (raw === null) return undefined
  try {
    return parseIceServersText(raw)
  } catch (err) {
    const reason = err instanceof InvalidIceServersError ? err.message : String(err)
    throw new InvalidIceParamError(
      `?${ICE_PARAM}= is not a list of ICE servers (${reason}). Expected comma-separated stun:/turn: URLs, e.g. ?${ICE_PARAM}=stun:stun.example.org:3478, or a JSON array such as ?${ICE_PARAM}=[{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}] (URL-encoded).`,
      { cause: err }
    )
  }
}

/** Accepted range of `?maxConnected=`. */
export const MAX_CONNECTED_RANGE = { min: 1, max: 256 } as const

export interface PageNodeOptions {
  maxConnected?: number
}

export interface PageOptionsResult {
  options: PageNodeOptions
  /** One line per ignored parameter, for the event log. */
  ignored: string[]
}

export function pageOptionsFromUrl (pageUrl: URL | string): PageOptionsResult {
  const params = new URL(pageUrl).searchParams
  const options: PageNodeOptions = {}
  const ignored: string[] = []
  const raw = params.get('maxConnected')
  if (raw !== null) {
    const value = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : Number.NaN
    if (Number.isInteger(value) && value >= MAX_CONNECTED_RANGE.min && value <= MAX_CONNECTED_RANGE.max) {
      options.maxConnected = value
    } else {
      ignored.push(`maxConnected=${raw.slice(0, 20)} (expected an integer from ${MAX_CONNECTED_RANGE.min} to ${MAX_CONNECTED_RANGE.max})`)
    }
  }
  return { options, ignored }
}

/**
 * PeerManager options for the page options over the role's preset, built by core's
 * `createPeerManagerOptions`: `?maxConnected=` changes only `maxConnected`, and core derives the
 * rest from the preset (a lower value also lowers the outbound cap and the minimum degree, which
 * may not exceed it). Empty without page options.
 */
export function peerManagerOverrides (options: PageNodeOptions, preset: Readonly<PeerManagerOptions>): Partial<PeerManagerOptions> {
  if (options.maxConnected === undefined) return {}
  return createPeerManagerOptions({ maxConnected: options.maxConnected }, preset)
}
