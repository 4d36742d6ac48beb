/**
 * The relay's stderr logger: human-readable lines for a terminal, one JSON object per line for
 * log collectors. It implements core's `Logger` interface, so the node logs through it too (and
 * libp2p, through core's component-logger adapter). Error fields are written by core's
 * `toLogValue`: `{ name, message, code, cause }`, never "[object Object]".
 */
import { inspect } from 'node:util'
import { toLogValue, type Logger } from '@peermesh/core'
import type { LogFormat, LogLevel } from './options.js'

/** Core's `Logger` (`packages/core/src/logger.ts`), the node's only logger. */
export type { Logger } from '@peermesh/core'

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
    if (!RESERVED_JSON_KEYS.has(key)) entry[key] = toLogValue(value)
  }
  return JSON.stringify(entry)
}

const RESERVED_JSON_KEYS = new Set(['time', 'level', 'msg'])

/** `2026-11-21T01:02:03.456Z INFO  message key=value …` */
export function formatPrettyLine (at: number, level: LogLevel, message: string, fields?: Record<string, unknown>): string {
  const parts = [new Date(at).toISOString(), level.toUpperCase().padEnd(5), message.replace(/[\r\n]+/g, ' ')]
  for (const [key, value] of Object.entries(fields ?? {})) {
    parts.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : inspect(toLogValue(value), { breakLength: Infinity, depth: 4 })}`)
  }
  return parts.join(' ')
}
