import { describe, expect, it } from 'vitest'
import { logText, toLogValue } from '../src/logger.js'

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })

describe('toLogValue', () => {
  it('keeps an error\'s name, message, code and cause chain', () => {
    const err = Object.assign(new Error('Could not connect', { cause: refused() }), { name: 'ConnectionFailedError', code: 'ERR_CONNECTION_FAILED' })
    expect(toLogValue(err)).toEqual({
      name: 'ConnectionFailedError',
      message: 'Could not connect',
      code: 'ERR_CONNECTION_FAILED',
      cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' }
    })
  })

  it('follows causes three deep, and no further (a cycle ends)', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    a.cause = b
    expect(toLogValue(b)).toEqual({ name: 'Error', message: 'b', cause: { name: 'Error', message: 'a', cause: { name: 'Error', message: 'b', cause: { name: 'Error', message: 'a' } } } })
  })

  it('keeps the first 8 errors of an AggregateError', () => {
    const value = toLogValue(new AggregateError(Array.from({ length: 10 }, (_, i) => new RangeError(String(i))), 'all failed')) as { errors: unknown[] }
    expect(value.errors).toHaveLength(8)
    expect(value.errors[0]).toEqual({ name: 'RangeError', message: '0' })
  })

  it('writes an error event that is not an Error (a WebSocket\'s) as its type, message and error', () => {
    const event = Object.assign(new Event('error'), { message: 'connect ECONNREFUSED', error: refused() })
    expect(toLogValue(event)).toEqual({ type: 'error', message: 'connect ECONNREFUSED', error: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', code: 'ECONNREFUSED' } })
  })

  it('writes a bigint as its decimal string and leaves other values alone', () => {
    expect(toLogValue(2n ** 70n)).toBe('1180591620717411303424')
    const plain = { type: 'peer', id: 1 }
    expect(toLogValue(plain)).toBe(plain)
  })
})

describe('logText', () => {
  it('writes an error with its cause chain on one line, without repeating a code its message holds', () => {
    const err = Object.assign(new Error('Could not connect to ws://127.0.0.1:1', { cause: refused() }), { name: 'ConnectionFailedError', code: 'ERR_CONNECTION_FAILED' })
    expect(logText(err)).toBe('ConnectionFailedError: Could not connect to ws://127.0.0.1:1 [ERR_CONNECTION_FAILED]; cause: Error: connect ECONNREFUSED 127.0.0.1:1')
  })

  it('lists an AggregateError\'s errors', () => {
    expect(logText(new AggregateError([new RangeError('a'), new TypeError('b')], 'all dials failed'))).toBe('AggregateError: all dials failed (RangeError: a; TypeError: b)')
  })

  it('writes an error event by its type, message and error', () => {
    const event = Object.assign(new Event('error'), { message: 'socket hang up', error: new Error('socket hang up') })
    expect(logText(event)).toBe('error event: socket hang up; error: Error: socket hang up')
  })

  it('writes a thrown non-error as JSON or text, never "[object Object]"', () => {
    expect(logText({ reason: 'full', slots: 0 })).toBe('{"reason":"full","slots":0}')
    expect(logText({ type: 'peer', id: 1 })).toBe('{"type":"peer","id":1}')
    expect(logText([1, 2n])).toBe('[1,"2"]')
    expect(logText('plain')).toBe('plain')
    expect(logText(undefined)).toBe('undefined')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(logText(circular)).toBe('{"self":"[Circular]"}')
  })

  it('uses an object\'s own toString (a PeerId, a Multiaddr)', () => {
    expect(logText({ toString: () => '/ip4/127.0.0.1/tcp/1' })).toBe('/ip4/127.0.0.1/tcp/1')
  })

  it('writes an error with an empty message by its name', () => {
    expect(logText(new TypeError())).toBe('TypeError')
  })
})
