/**
 * The relay's stderr logger: human-readable lines for a terminal, one JSON object per line for
 * log collectors. It implements core's `Logger` interface, so the node logs through it too.
 */
import { inspect } from 'node:util'
import type { LogFormat, LogLevel } from './options.js'

/** Core's `Logger` shape (`packages/core/src/logger.ts`). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Where log lines go (`process.stderr` in the command). */
export interface LogSink {
  write(line: string): unknown
}

export interface StderrLoggerInit {
  level: LogLevel
  format: LogFormat
  sink: LogSink
  /** Epoch ms; injected so tests can pin the timestamp. @default Date.now */
  now?: () => number
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Creates a {@link Logger} that drops lines below `level` and writes the rest to `sink`. */
export function createStderrLogger (init: StderrLoggerInit): Logger {
  const now = init.now ?? Date.now
  const threshold = SEVERITY[init.level]
  const format = init.format === 'json' ? formatJsonLine : formatPrettyLine

  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>): void => {
    if (SEVERITY[level] < threshold) return
    init.sink.write(format(now(), level, message, fields) + '\n')
  }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/** `{"time":"…","level":"info","msg":"…",…fields}`; fields named time, level or msg are dropped. */
export function formatJsonLine (at: number, level: LogLevel, message: string, fields?: Record<string, unknown>): string {
  const entry: Record<string, unknown> = { time: new Date(at).toISOString(), level, msg: message }
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (!RESERVED_JSON_KEYS.has(key)) entry[key] = toJsonValue(value)
  }
  return JSON.stringify(entry)
}

const RESERVED_JSON_KEYS = new Set(['time', 'level', 'msg'])

/** `2026-11-21T01:02:03.456Z INFO  message key=value …` */
export function formatPrettyLine (at: number, level: LogLevel, message: string, fields?: Record<string, unknown>): string {
  const parts = [new Date(at).toISOString(), level.toUpperCase().padEnd(5), message.replace(/[\r\n]+/g, ' ')]
  for (const [key, value] of Object.entries(fields ?? {})) {
    parts.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : inspect(toJsonValue(value), { breakLength: Infinity, depth: 4 })}`)
  }
  return parts.join(' ')
}

/**
 * Errors become `{ name, message, code, cause }` so that they survive JSON.stringify (an
 * AggregateError adds its `errors`). An error event that is not an Error (a WebSocket's 'error'
 * event) becomes `{ type, message, error }`, never "[object Object]".
 */
export function toJsonValue (value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message }
    const code = (value as { code?: unknown }).code
    if (typeof code === 'string' || typeof code === 'number') out.code = code
    if (value.cause != null && depth < 3) out.cause = toJsonValue(value.cause, depth + 1)
    if (value instanceof AggregateError && depth < 3) out.errors = value.errors.slice(0, 8).map(e => toJsonValue(e, depth + 1))
    return out
  }
  if (isErrorEvent(value) && depth < 3) {
    const out: Record<string, unknown> = { type: value.type }
    if (typeof value.message === 'string' && value.message !== '') out.message = value.message
    if (value.error != null) out.error = toJsonValue(value.error, depth + 1)
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}

function isErrorEvent (value: unknown): value is { type: string, message?: unknown, error?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' &&
    ('error' in value || 'message' in value)
}
