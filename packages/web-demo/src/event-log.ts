/**
 * The event log: the node's `log` events (and the page's own notes), newest at the bottom,
 * bounded, with debug lines hidden unless asked for.
 */
import type { NodeLogEvent } from '@peermesh/core'

/** Bounds of the log, in one place. */
export const EVENT_LOG_LIMITS = {
  /** Lines kept; the oldest are dropped. */
  maxLines: 300,
  /** A line's fields are cut to this many characters. */
  maxFieldsLength: 240,
  /** A line's message is cut to this many characters. */
  maxMessageLength: 300
} as const

/** Renders structured fields as `key=value` pairs, compactly and bounded. */
export function formatLogFields (fields: Record<string, unknown> | undefined, maxLength: number = EVENT_LOG_LIMITS.maxFieldsLength): string {
  if (fields === undefined) return ''
  const parts: string[] = []
  for (const [key, value] of Object.entries(fields)) {
    parts.push(`${key}=${formatValue(value)}`)
  }
  const text = parts.join(' ')
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}

function formatValue (value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) || value === '' ? JSON.stringify(value) : value
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value)
  if (value instanceof Error) return `${value.name}: ${value.message}`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return '[unprintable]'
  }
}

/** One log line as text: `HH:MM:SS level message fields`. */
export function formatLogLine (event: NodeLogEvent): { time: string, level: string, message: string, fields: string } {
  const date = new Date(event.at)
  const time = Number.isFinite(event.at)
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    : '--:--:--'
  const message = event.message.length > EVENT_LOG_LIMITS.maxMessageLength
    ? `${event.message.slice(0, EVENT_LOG_LIMITS.maxMessageLength - 1)}…`
    : event.message
  return { time, level: event.level, message, fields: formatLogFields(event.fields) }
}

export interface EventLogView {
  add: (event: NodeLogEvent) => void
}

/**
 * Appends lines to `list`; `showDebug` toggles the visibility of debug lines (they are kept).
 */
export function createEventLog (list: HTMLOListElement, showDebug: HTMLInputElement): EventLogView {
  const applyFilter = (): void => {
    list.classList.toggle('show-debug', showDebug.checked)
  }
  showDebug.addEventListener('change', applyFilter)
  applyFilter()

  return {
    add (event) {
      const line = formatLogLine(event)
      const item = document.createElement('li')
      item.className = `level-${line.level}`
      const time = document.createElement('time')
      time.textContent = line.time
      const level = document.createElement('span')
      level.className = 'level'
      level.textContent = line.level
      const message = document.createElement('span')
      message.className = 'message'
      message.textContent = line.message
      item.append(time, ' ', level, ' ', message)
      if (line.fields !== '') {
        const fields = document.createElement('span')
        fields.className = 'fields'
        fields.textContent = line.fields
        item.append(' ', fields)
      }
      const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 8
      list.append(item)
      while (list.children.length > EVENT_LOG_LIMITS.maxLines) list.firstElementChild?.remove()
      if (stick) list.scrollTop = list.scrollHeight
    }
  }
}
