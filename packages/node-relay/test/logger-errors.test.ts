import { describe, expect, it } from 'vitest'
import { formatJsonLine } from '../src/logger.js'

const AT = Date.UTC(2026, 10, 21, 1, 2, 3, 456)
const fieldOf = (value: unknown): unknown => JSON.parse(formatJsonLine(AT, 'warn', 'x', { error: value })).error

describe('formatJsonLine › errors', () => {
  it('writes an error\'s name, message, code and cause', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const outer = Object.assign(new Error('Could not connect', { cause: inner }), { name: 'ConnectionFailedError' })
    expect(fieldOf(outer)).toEqual({
      name: 'ConnectionFailedError', message: 'Could not connect', cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' }
    })
  })

  it('writes the errors of an AggregateError', () => {
    expect(fieldOf(new AggregateError([new RangeError('a'), new TypeError('b')], 'all dials failed'))).toEqual({
      name: 'AggregateError', message: 'all dials failed', errors: [{ name: 'RangeError', message: 'a' }, { name: 'TypeError', message: 'b' }]
    })
  })

  it('writes an error event that is not an Error (a WebSocket\'s) as its type, message and error, not "[object Object]"', () => {
    const event = Object.assign(new Event('error'), { message: 'connect ECONNREFUSED', error: new Error('connect ECONNREFUSED') })
    expect(fieldOf(event)).toEqual({ type: 'error', message: 'connect ECONNREFUSED', error: { name: 'Error', message: 'connect ECONNREFUSED' } })
  })
})
