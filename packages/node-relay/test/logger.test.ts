import { describe, expect, it } from 'vitest'
import { createStderrLogger, formatJsonLine, formatPrettyLine } from '../src/logger.js'

const AT = Date.UTC(2026, 10, 21, 1, 2, 3, 456)

function capture (): { lines: string[], sink: { write: (line: string) => void } } {
  const lines: string[] = []
  return { lines, sink: { write: (line: string) => { lines.push(line) } } }
}

describe('createStderrLogger', () => {
  it('drops lines below the configured level', () => {
    const { lines, sink } = capture()
    const logger = createStderrLogger({ level: 'warn', format: 'json', sink, now: () => AT })
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    logger.error('e')
    expect(lines.map(line => JSON.parse(line).msg)).toEqual(['w', 'e'])
  })

  it('writes exactly one line per entry, ending in a newline', () => {
    const { lines, sink } = capture()
    const logger = createStderrLogger({ level: 'debug', format: 'pretty', sink, now: () => AT })
    logger.info('multi\nline', { note: 'a\nb' })
    expect(lines).toHaveLength(1)
    expect(lines[0]?.match(/\n/g)).toHaveLength(1)
    expect(lines[0]?.endsWith('\n')).toBe(true)
  })
})

describe('formatJsonLine', () => {
  it('writes time, level, message and fields as one JSON object', () => {
    expect(JSON.parse(formatJsonLine(AT, 'info', 'ready', { peerId: 'abc', n: 2 }))).toEqual({
      time: '2026-11-21T01:02:03.456Z', level: 'info', msg: 'ready', peerId: 'abc', n: 2
    })
  })

  it('keeps time, level and msg when a field has the same name', () => {
    expect(JSON.parse(formatJsonLine(AT, 'warn', 'real', { msg: 'fake', level: 'debug' }))).toMatchObject({ msg: 'real', level: 'warn' })
  })

  it('writes errors as name, message and cause', () => {
    const error = new TypeError('outer', { cause: new RangeError('inner') })
    expect(JSON.parse(formatJsonLine(AT, 'error', 'failed', { error })).error).toEqual({
      name: 'TypeError', message: 'outer', cause: { name: 'RangeError', message: 'inner' }
    })
  })
})

describe('formatPrettyLine', () => {
  it('writes the timestamp, the padded level, the message and key=value fields', () => {
    expect(formatPrettyLine(AT, 'info', 'ready', { peerId: 'abc', count: 3 }))
      .toBe('2026-11-21T01:02:03.456Z INFO  ready peerId=abc count=3')
  })

  it('quotes strings with spaces and inspects objects on one line', () => {
    const line = formatPrettyLine(AT, 'warn', 'x', { reason: 'two words', list: ['a', 'b'] })
    expect(line).toBe("2026-11-21T01:02:03.456Z WARN  x reason='two words' list=[ 'a', 'b' ]")
  })
})
