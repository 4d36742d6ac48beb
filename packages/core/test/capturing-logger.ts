/** A real {@link Logger} that keeps every line, for tests that read what a node logged. */
import type { Logger } from '../src/logger.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface CapturedLine {
  level: LogLevel
  message: string
  fields: Record<string, unknown>
}

export class CapturingLogger implements Logger {
  readonly lines: CapturedLine[] = []

  debug (message: string, fields?: Record<string, unknown>): void { this.add('debug', message, fields) }
  info (message: string, fields?: Record<string, unknown>): void { this.add('info', message, fields) }
  warn (message: string, fields?: Record<string, unknown>): void { this.add('warn', message, fields) }
  error (message: string, fields?: Record<string, unknown>): void { this.add('error', message, fields) }

  /** Lines logged by one component (the `component` field the libp2p adapter adds). */
  ofComponent (component: string): CapturedLine[] {
    return this.lines.filter(line => line.fields.component === component)
  }

  private add (level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level, message, fields })
  }
}
