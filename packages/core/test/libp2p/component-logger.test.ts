import { generateKeyPair } from '@libp2p/crypto/keys'
import { disable, enable } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import type { ComponentLogger, Logger as Libp2pLogger } from '@libp2p/interface'
import { createComponentLogger, formatLogArguments, MAX_LOG_MESSAGE_CHARS } from '../../src/libp2p/component-logger.js'
import { recordingLogger } from '../store/fixtures.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** A real libp2p-shaped sink for libp2p's own components' log/trace lines, recording what it got. */
function recordingInternal (enabled: boolean): { internal: ComponentLogger, calls: Array<{ component: string, kind: 'log' | 'error' | 'trace', args: unknown[] }> } {
  const calls: Array<{ component: string, kind: 'log' | 'error' | 'trace', args: unknown[] }> = []
  const forComponent = (component: string): Libp2pLogger => Object.assign(
    (...args: unknown[]) => { calls.push({ component, kind: 'log', args }) },
    {
      error: (...args: unknown[]) => { calls.push({ component, kind: 'error', args }) },
      trace: (...args: unknown[]) => { calls.push({ component, kind: 'trace', args }) },
      enabled,
      newScope: (scope: string) => forComponent(`${component}:${scope}`)
    })
  return { internal: { forComponent }, calls }
}

describe('formatLogArguments', () => {
  it('writes %p and %a as the peer ID and the multiaddr', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const address = multiaddr('/ip4/127.0.0.1/tcp/4001/ws')
    expect(formatLogArguments('dialing %p at %a', [peer, address])).toBe(`dialing ${peer.toString()} at /ip4/127.0.0.1/tcp/4001/ws`)
  })

  it('writes %e as the error on one line with its code and cause, not its stack', () => {
    const err = Object.assign(new Error('Could not connect', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }), { name: 'ConnectionFailedError' })
    const text = formatLogArguments('dial failed - %e', [err])
    expect(text).toBe('dial failed - ConnectionFailedError: Could not connect; cause: Error: connect ECONNREFUSED 127.0.0.1:1')
    expect(text).not.toContain('\n')
  })

  it('writes %s, %d, %i, %f and %j/%o/%O like printf', () => {
    expect(formatLogArguments('%s gave %d addresses', ['12D3KooW', 7])).toBe('12D3KooW gave 7 addresses')
    expect(formatLogArguments('%d %d %i %f', ['12', 3n, '4.9', '2.5'])).toBe('12 3 4 2.5')
    expect(formatLogArguments('%j %o %O', [{ a: 1 }, [1, 2], new Error('x')])).toBe('{"a":1} [1,2] Error: x')
    expect(formatLogArguments('%s', [new RangeError('too big')])).toBe('RangeError: too big')
  })

  it('writes %b, %t and %m as base58btc, base32 and base64 (as @libp2p/logger does)', () => {
    expect(formatLogArguments('%b %t %m', [bytes('hello world'), bytes('hello'), bytes('hello')])).toBe('StV1DL6CwTryKyV nbswy3dp aGVsbG8')
  })

  it('writes a missing libp2p value (%p, %a, %e, %b) as undefined', () => {
    expect(formatLogArguments('%p %a %e %b', [undefined, null, undefined, undefined])).toBe('undefined undefined undefined undefined')
  })

  it('writes %% as a percent sign without taking an argument', () => {
    expect(formatLogArguments('%d%% of %s', [50, 'slots'])).toBe('50% of slots')
  })

  it('leaves an unknown letter, and a placeholder with no argument left, as written', () => {
    expect(formatLogArguments('%q then %s and %s', ['one'])).toBe('%q then one and %s')
  })

  it('appends arguments left over, space-separated', () => {
    expect(formatLogArguments('closing', ['now', { reason: 'stop' }, new Error('bye')])).toBe('closing now {"reason":"stop"} Error: bye')
  })

  it('writes a first argument that is not a string as a value', () => {
    expect(formatLogArguments(new TypeError('bad frame'), [])).toBe('TypeError: bad frame')
    expect(formatLogArguments({ status: 'open' }, ['x'])).toBe('{"status":"open"} x')
  })

  it('cuts a message longer than the cap and ends it with an ellipsis', () => {
    const text = formatLogArguments('%s', ['x'.repeat(MAX_LOG_MESSAGE_CHARS * 2)])
    expect(text).toHaveLength(MAX_LOG_MESSAGE_CHARS)
    expect(text.endsWith('…')).toBe(true)
  })
})

describe('createComponentLogger', () => {
  describe('our components (peermesh:…)', () => {
    it('logs log at debug and error at warn, with the component name as a field', () => {
      const logger = recordingLogger()
      const log = createComponentLogger(logger).forComponent('peermesh:pex')
      log('sent %d addresses to %s', 3, 'peer-a')
      log.error('penalising %s with %d points', 'peer-b', 10)
      expect(logger.lines).toEqual([
        { level: 'debug', message: 'sent 3 addresses to peer-a', fields: { component: 'peermesh:pex' } },
        { level: 'warn', message: 'penalising peer-b with 10 points', fields: { component: 'peermesh:pex' } }
      ])
      expect(log.enabled).toBe(true)
    })

    it('drops trace lines unless asked for them, then logs them at debug', () => {
      const dropped = recordingLogger()
      createComponentLogger(dropped).forComponent('peermesh:pex').trace('frame of %d bytes', 12)
      expect(dropped.lines).toEqual([])

      const kept = recordingLogger()
      createComponentLogger(kept, { trace: true }).forComponent('peermesh:pex').trace('frame of %d bytes', 12)
      expect(kept.lines).toEqual([{ level: 'debug', message: 'frame of 12 bytes', fields: { component: 'peermesh:pex' } }])
    })

    it('names a scope below its component', () => {
      const logger = recordingLogger()
      createComponentLogger(logger).forComponent('peermesh:relay-reservations').newScope('slot').error('lost')
      expect(logger.lines).toEqual([{ level: 'warn', message: 'lost', fields: { component: 'peermesh:relay-reservations:slot' } }])
    })

    it('never lets a Logger that throws break the code that logged', () => {
      const throwing = { debug: () => { throw new Error('disk full') }, info: () => {}, warn: () => { throw new Error('disk full') }, error: () => {} }
      const log = createComponentLogger(throwing).forComponent('peermesh:pex')
      expect(() => { log('x'); log.error('y') }).not.toThrow()
    })
  })

  describe('libp2p\'s own components', () => {
    it('hand log and trace lines to libp2p\'s own logger and never to ours', () => {
      const logger = recordingLogger()
      const { internal, calls } = recordingInternal(false)
      const log = createComponentLogger(logger, { internal }).forComponent('libp2p:connection-manager')
      log('dialing %a', '/ip4/1.2.3.4/tcp/1')
      log.trace('queue length %d', 3)
      expect(logger.lines).toEqual([])
      expect(calls).toEqual([
        { component: 'libp2p:connection-manager', kind: 'log', args: ['dialing %a', '/ip4/1.2.3.4/tcp/1'] },
        { component: 'libp2p:connection-manager', kind: 'trace', args: ['queue length %d', 3] }
      ])
    })

    it('log their errors at debug with the component name, and to libp2p\'s own logger too', () => {
      const logger = recordingLogger()
      const { internal, calls } = recordingInternal(false)
      const err = new Error('stream reset')
      createComponentLogger(logger, { internal }).forComponent('libp2p:websockets:listener').error('error on socket - %e', err)
      expect(logger.lines).toEqual([{ level: 'debug', message: 'error on socket - Error: stream reset', fields: { component: 'libp2p:websockets:listener' } }])
      expect(calls).toEqual([{ component: 'libp2p:websockets:listener', kind: 'error', args: ['error on socket - %e', err] }])
    })

    it('are enabled exactly when libp2p\'s own logger is, and scope below their component', () => {
      const logger = recordingLogger()
      expect(createComponentLogger(logger, { internal: recordingInternal(false).internal }).forComponent('libp2p:identify').enabled).toBe(false)
      const { internal, calls } = recordingInternal(true)
      const scoped = createComponentLogger(logger, { internal }).forComponent('libp2p:identify').newScope('push')
      expect(scoped.enabled).toBe(true)
      scoped.error('failed')
      expect(logger.lines).toEqual([{ level: 'debug', message: 'failed', fields: { component: 'libp2p:identify:push' } }])
      expect(calls.map(c => c.component)).toEqual(['libp2p:identify:push'])
    })

    it('use libp2p\'s own logger by default: silent until its namespace is enabled, then at once', () => {
      const log = createComponentLogger(recordingLogger()).forComponent('libp2p:peermesh-test-component')
      expect(log.enabled).toBe(false)
      enable('libp2p:peermesh-test-component')
      try {
        expect(log.enabled).toBe(true)
      } finally {
        disable()
      }
      expect(log.enabled).toBe(false)
    })
  })
})
