/**
 * A minimal structured logger; every component takes one (default: silent). A node hands the
 * same one to libp2p (see `libp2p/component-logger.ts`), so it is the only logger a node has.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export const silentLogger: Logger = {
  debug () {},
  info () {},
  warn () {},
  error () {}
}

/** How deep {@link toLogValue} follows causes (and an AggregateError's errors). */
const MAX_ERROR_DEPTH = 3
/** How many of an AggregateError's errors {@link toLogValue} keeps. */
const MAX_AGGREGATED_ERRORS = 8

/** An error as a log field carries it: what survives JSON.stringify. */
export interface LoggedError {
  name: string
  message: string
  code?: string | number
  cause?: unknown
  /** An AggregateError's errors (the first 8). */
  errors?: unknown[]
}

/** An error event that is not an Error (a WebSocket's 'error' event) as a log field carries it. */
export interface LoggedErrorEvent {
  type: string
  message?: string
  error?: unknown
}

/**
 * A log field's value in a form that survives JSON.stringify: an Error becomes
 * `{ name, message, code, cause }` (an AggregateError adds its `errors`), following causes
 * 3 deep; an error event that is not an Error (a WebSocket's 'error' event) becomes
 * `{ type, message, error }`, never "[object Object]"; a bigint becomes its decimal string.
 * Anything else is returned as it is.
 */
export function toLogValue (value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const out: LoggedError = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (typeof code === 'string' || typeof code === 'number') out.code = code
    if (value.cause != null && depth < MAX_ERROR_DEPTH) out.cause = toLogValue(value.cause, depth + 1)
    if (value instanceof AggregateError && depth < MAX_ERROR_DEPTH) {
      out.errors = value.errors.slice(0, MAX_AGGREGATED_ERRORS).map(e => toLogValue(e, depth + 1))
    }
    return out
  }
  if (isErrorEvent(value) && depth < MAX_ERROR_DEPTH) {
    const out: LoggedErrorEvent = { type: value.type }
    if (typeof value.message === 'string' && value.message !== '') out.message = value.message
    if (value.error != null) out.error = toLogValue(value.error, depth + 1)
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

function isErrorEvent (value: unknown): value is { type: string, message?: unknown, error?: unknown } {
  return typeof value === 'object' && value !== null && !(value instanceof Error) &&
    typeof (value as { type?: unknown }).type === 'string' && ('error' in value || 'message' in value)
}

/**
 * A value as log text, on one line. An error (through {@link toLogValue}) reads
 * `Name: message [code]`, then an AggregateError's errors in parentheses, then `; cause: …` down
 * the cause chain, e.g.
 * `ConnectionFailedError: Could not connect to ws://127.0.0.1:1; cause: Error: connect ECONNREFUSED 127.0.0.1:1`
 * (a code already in the message is not repeated). A string stays as it is; an object with its
 * own `toString` (a PeerId, a Multiaddr) uses it; another object is written as JSON.
 */
export function logText (value: unknown): string {
  return loggedText(toLogValue(value))
}

function loggedText (value: unknown): string {
  if (isLoggedError(value)) {
    let text = value.message === '' ? value.name : `${value.name}: ${value.message}`
    if (value.code !== undefined && !value.message.includes(String(value.code))) text += ` [${value.code}]`
    if (value.errors !== undefined && value.errors.length > 0) text += ` (${value.errors.map(loggedText).join('; ')})`
    if (value.cause !== undefined) text += `; cause: ${loggedText(value.cause)}`
    return text
  }
  if (isLoggedErrorEvent(value)) {
    const parts = [`${value.type} event`]
    if (value.message !== undefined) parts.push(value.message)
    let text = parts.join(': ')
    if (value.error !== undefined) text += `; error: ${loggedText(value.error)}`
    return text
  }
  return plainText(value)
}

/** A value that is not an error: strings as they are, plain objects and arrays as JSON. */
function plainText (value: unknown): string {
  if (typeof value === 'object' && value !== null && (Array.isArray(value) || value.toString === Object.prototype.toString)) {
    const seen = new WeakSet<object>()
    try {
      const json = JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString()
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[Circular]'
          seen.add(v)
        }
        return v
      })
      if (json !== undefined && json !== '{}') return json
    } catch {
      // a toJSON that throws: fall back to String()
    }
  }
  return String(value)
}

function isLoggedError (value: unknown): value is LoggedError {
  return typeof value === 'object' && value !== null && typeof (value as LoggedError).name === 'string' &&
    typeof (value as LoggedError).message === 'string'
}

/** What {@link toLogValue} makes of an error event: `type` plus `message` and/or `error`, nothing else. */
function isLoggedErrorEvent (value: unknown): value is LoggedErrorEvent {
  if (typeof value !== 'object' || value === null || typeof (value as LoggedErrorEvent).type !== 'string') return false
  const keys = Object.keys(value)
  return keys.length > 1 && keys.every(key => key === 'type' || key === 'message' || key === 'error')
}
