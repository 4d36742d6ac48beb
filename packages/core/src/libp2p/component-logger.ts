/**
 * libp2p's `ComponentLogger` feeding our {@link Logger}: the one logger of a node.
 *
 * libp2p hands every component and service `components.logger`; its `forComponent(name)` gives a
 * printf-style logger (`log('%p gave %d addresses', peer, n)`, `log.error(...)`, `log.trace(...)`).
 * `createLibp2pNode({ logger })` gives libp2p this adapter instead of libp2p's own, so:
 *
 * - **Our components** (named `peermesh:…`: peer exchange, relay reservations) log wholly through
 *   the Logger: `log` → `debug`, `error` → `warn` (a peer or a relay misbehaved, a request failed:
 *   the node carries on, an operator should see it), `trace` → dropped (or `debug` with
 *   `trace: true`). Each line carries `{ component: name }`.
 * - **libp2p's own components** (`libp2p:…`, everything not ours) are very chatty (a line per
 *   stream, per dial, per identify): their `error` lines reach the Logger at `debug` only, still
 *   with the component, so `--log-level debug` shows why a transport gave up; their `log` and
 *   `trace` lines stay on libp2p's own debug logger (`DEBUG=libp2p:*`), as libp2p documents them.
 *   Anything a remote peer can trigger at will stays below `info` that way; what is rate-bounded
 *   and worth an operator's eye (a penalty, a ban) is logged by our components at `warn`/`info`.
 *
 * Formatting follows `@libp2p/logger` (weald's printf): `%s %d %i %f %j %o %O`, libp2p's `%p`
 * (peer ID) `%a` (multiaddr) `%c` (CID) `%k` (datastore key) `%b %t %m` (bytes as base58btc,
 * base32, base64) and `%e` (an error); `%%` is a percent sign. Unlike libp2p's, an error is written
 * on one line with its code and cause chain ({@link logText}), never its stack, and a message is
 * capped at {@link MAX_LOG_MESSAGE_CHARS}.
 */
import { defaultLogger } from '@libp2p/logger'
import type { ComponentLogger, Logger as Libp2pLogger } from '@libp2p/interface'
import { toString as bytesToString } from 'uint8arrays/to-string'
import { logText, type Logger } from '../logger.js'

/** Components whose name starts with this are ours and log wholly through the Logger. */
export const OWN_COMPONENT_PREFIX = 'peermesh:'

/** Longest message the adapter hands the Logger; longer ones are cut and end in `…`. */
export const MAX_LOG_MESSAGE_CHARS = 2_000

export interface ComponentLoggerInit {
  /**
   * Send our own components' `trace` lines to the Logger at `debug` (they are dropped otherwise).
   *
   * @default false
   */
  trace?: boolean
  /**
   * Where libp2p's own components' `log` and `trace` lines go (their `error` lines also reach the
   * Logger at `debug`).
   *
   * @default `@libp2p/logger`'s `defaultLogger()` (enabled by `DEBUG=libp2p:*`)
   */
  internal?: ComponentLogger
}

/** A libp2p `ComponentLogger` whose loggers write into `logger` (see the module doc for levels). */
export function createComponentLogger (logger: Logger, init: ComponentLoggerInit = {}): ComponentLogger {
  const internal = init.internal ?? defaultLogger()
  const forComponent = (name: string): Libp2pLogger => name.startsWith(OWN_COMPONENT_PREFIX)
    ? ownLogger(logger, name, init.trace ?? false)
    : internalLogger(logger, internal, name)
  return { forComponent }
}

function ownLogger (logger: Logger, name: string, trace: boolean): Libp2pLogger {
  const fields = { component: name }
  const write = (level: 'debug' | 'warn') => (formatter: unknown, ...args: unknown[]): void => {
    emit(logger, level, formatter, args, fields)
  }
  const log = write('debug')
  return Object.assign(log, {
    error: write('warn'),
    trace: trace ? write('debug') : () => {},
    enabled: true,
    newScope: (scope: string) => ownLogger(logger, `${name}:${scope}`, trace)
  })
}

function internalLogger (logger: Logger, internal: ComponentLogger, name: string): Libp2pLogger {
  const fallback = internal.forComponent(name)
  const fields = { component: name }
  const log = (formatter: unknown, ...args: unknown[]): void => { fallback(formatter, ...args) }
  const scoped = Object.assign(log, {
    error: (formatter: unknown, ...args: unknown[]): void => {
      emit(logger, 'debug', formatter, args, fields)
      fallback.error(formatter, ...args)
    },
    trace: (formatter: unknown, ...args: unknown[]): void => { fallback.trace(formatter, ...args) },
    newScope: (scope: string) => internalLogger(logger, internal, `${name}:${scope}`)
  })
  // live: libp2p's own logger can be enabled at run time (`enable('libp2p:*')`)
  return Object.defineProperty(scoped, 'enabled', { enumerable: true, get: () => fallback.enabled === true }) as Libp2pLogger
}

/** Formats and writes one line; a Logger that throws never breaks the libp2p code that logged. */
function emit (logger: Logger, level: 'debug' | 'warn', formatter: unknown, args: unknown[], fields: { component: string }): void {
  try {
    logger[level](formatLogArguments(formatter, args), { ...fields })
  } catch {
    // logging is best effort
  }
}

type Format = (value: unknown) => string

const textOrUndefined: Format = value => value == null ? 'undefined' : logText(value)
const bytesAs = (encoding: 'base58btc' | 'base32' | 'base64'): Format => value => {
  if (value == null) return 'undefined'
  return value instanceof Uint8Array ? bytesToString(value, encoding) : logText(value)
}

const FORMATS: Readonly<Record<string, Format>> = {
  s: value => typeof value === 'string' ? value : logText(value),
  d: value => typeof value === 'bigint' ? value.toString() : String(Number(value)),
  i: value => typeof value === 'bigint' ? value.toString() : String(Number.parseInt(String(value), 10)),
  f: value => String(Number.parseFloat(String(value))),
  j: logText,
  o: logText,
  O: logText,
  p: textOrUndefined,
  a: textOrUndefined,
  c: textOrUndefined,
  k: textOrUndefined,
  e: textOrUndefined,
  b: bytesAs('base58btc'),
  t: bytesAs('base32'),
  m: bytesAs('base64')
}

/**
 * A libp2p log call's arguments as one message: each `%x` of the format string takes the next
 * argument (see the module doc for the letters); an unknown letter, or one with no argument left,
 * stays as written; arguments left over are appended, space-separated. A first argument that is
 * not a string is written as a value (an error on one line), like every argument after it.
 */
export function formatLogArguments (formatter: unknown, args: readonly unknown[]): string {
  const rest = [...args]
  let text = typeof formatter === 'string'
    ? formatter.replace(/%([a-zA-Z%])/g, (match, letter: string) => {
      if (letter === '%') return '%'
      const format = FORMATS[letter]
      if (format === undefined || rest.length === 0) return match
      return format(rest.shift())
    })
    : logText(formatter)
  for (const extra of rest) text += ` ${logText(extra)}`
  return text.length > MAX_LOG_MESSAGE_CHARS ? `${text.slice(0, MAX_LOG_MESSAGE_CHARS - 1)}…` : text
}
