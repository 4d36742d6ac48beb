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
