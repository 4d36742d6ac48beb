/**
 * Node options a page URL may set, for experiments and tests: `?maxConnected=<n>` caps this tab's
 * connections (the e2e suite uses it to check that a small limit holds and the mesh stays whole).
 * Anything malformed or out of range is ignored with a note; the core defaults apply.
 */

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

/** The PeerManager limits `?maxConnected=` touches, as in core's `PeerManagerOptions`. */
export interface ConnectionLimits {
  maxConnected: number
  maxOutgoingConnections: number
  minConnected: number
}

/**
 * PeerManager overrides for the page options over the role's preset: a lower `maxConnected`
 * also lowers the outbound cap and the minimum degree, which may not exceed it.
 */
export function peerManagerOverrides (options: PageNodeOptions, preset: ConnectionLimits): Partial<ConnectionLimits> {
  if (options.maxConnected === undefined) return {}
  const maxConnected = options.maxConnected
  return {
    maxConnected,
    maxOutgoingConnections: Math.min(preset.maxOutgoingConnections, maxConnected),
    minConnected: Math.min(preset.minConnected, maxConnected)
  }
}
