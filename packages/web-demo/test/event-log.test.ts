import { describe, expect, it } from 'vitest'
import { EVENT_LOG_LIMITS, formatLogFields, formatLogLine } from '../src/event-log.js'

describe('event log', () => {
  describe('formatLogFields', () => {
    it('renders fields as key=value, quoting strings with spaces', () => {
      expect(formatLogFields({ peer: 'abc', n: 3, ok: true, reason: 'dial timeout', none: undefined })).toBe('peer=abc n=3 ok=true reason="dial timeout" none=undefined')
    })

    it('renders errors by name and message', () => {
      const err = new Error('nope')
      err.name = 'DialError'
      expect(formatLogFields({ error: err })).toBe('error=DialError: nope')
    })

    it('survives values JSON cannot print', () => {
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      expect(formatLogFields({ cyclic, big: 10n })).toBe('cyclic=[unprintable] big=[unprintable]')
    })

    it('cuts long field lists', () => {
      const text = formatLogFields({ blob: 'x'.repeat(1000) })
      expect(text).toHaveLength(EVENT_LOG_LIMITS.maxFieldsLength)
      expect(text.endsWith('…')).toBe(true)
    })

    it('renders nothing without fields', () => {
      expect(formatLogFields(undefined)).toBe('')
    })
  })

  describe('formatLogLine', () => {
    it('cuts an over-long message', () => {
      const line = formatLogLine({ level: 'info', message: 'm'.repeat(1000), at: 0 })
      expect(line.message).toHaveLength(EVENT_LOG_LIMITS.maxMessageLength)
      expect(line.level).toBe('info')
      expect(line.time).toMatch(/^\d\d:\d\d:\d\d$/)
    })
  })
})
