/**
 * Fuzz: the command line and the PEERMESH_* environment. Any argv and any environment give a
 * command whose options are within their documented ranges, or a UsageError naming its source;
 * never another error.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/defaults.js'
import { UsageError } from '../../src/errors.js'
import { OPTION_TABLE, parseCommandLine, type Command } from '../../src/options.js'
import { fuzzParameters, fuzzTimeout, heapAfterGc, MAX_HEAP_GROWTH_BYTES } from './fuzz-support.js'

const PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
/** Values each option is known to take, to mix with hostile ones. */
const GOOD_VALUES = [
  'relay', 'peer', '/ip4/127.0.0.1/tcp/0/ws', '/webrtc', `/dns4/relay.example.com/tcp/443/wss`, './data', '127.0.0.1:0',
  '[::1]:8080', 'off', '1', '200', '256', '4096', '0', '-1', '1e3', '0x10', 'debug', 'json', 'pretty', 'true', 'false',
  `ws://${PEER}@127.0.0.1:4001`, `/ip4/127.0.0.1/tcp/4001/ws/p2p/${PEER}`, 'stun:stun.example.test:3478',
  '[{"urls":"turn:t.example.test","username":"u","credential":"c"}]', '[{"urls":[]}]', '{"urls":1}', 'null', '[]'
]
const hostileValue = fc.oneof(
  fc.constantFrom(...GOOD_VALUES),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...GOOD_VALUES), { minLength: 2, maxLength: 4 }).map(v => v.join(',')),
  fc.constantFrom('', ',', ',,', ' ', '=', '--', '-', '\u0000', '99999999999999999999', 'NaN', 'Infinity', '__proto__')
)
const flag = fc.constantFrom(...OPTION_TABLE.map(o => o.flag), 'nope', 'Role', 'listen-', 'h', 'v')
const token: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(flag, hostileValue).map(([f, v]) => [`--${f}`, v]),
  fc.tuple(flag, hostileValue).map(([f, v]) => [`--${f}=${v}`]),
  flag.map(f => [`--${f}`]),
  flag.map(f => [`-${f}`]),
  hostileValue.map(v => [v])
)
const argv = fc.array(token, { maxLength: 6 }).map(tokens => tokens.flat().filter(t => t !== '--help' && t !== '--version'))
const envKey = fc.constantFrom(...OPTION_TABLE.flatMap(o => o.env != null ? [o.env] : []), 'PEERMESH_NOPE', 'PEERMESH_', 'PEERMESH_ROLE ')
const env = fc.dictionary(envKey, fc.option(hostileValue, { nil: undefined }), { maxKeys: 5 })

function checkCommand (command: Command): void {
  if (command.kind !== 'run') return
  const o = command.options
  expect(['relay', 'peer']).toContain(o.role)
  expect(Number.isInteger(o.maxConnections) && o.maxConnections >= 1 && o.maxConnections <= DEFAULTS.maxConnectionsLimit).toBe(true)
  expect(Number.isInteger(o.maxReservations) && o.maxReservations >= 1 && o.maxReservations <= DEFAULTS.maxReservationsLimit).toBe(true)
  expect(['debug', 'info', 'warn', 'error']).toContain(o.logLevel)
  expect(['pretty', 'json']).toContain(o.logFormat)
  expect(o.dataDir.length).toBeGreaterThan(0)
  for (const list of [o.listen, o.announce, o.bootstrap]) expect(Array.isArray(list)).toBe(true)
  if (o.http != null) expect(Number.isInteger(o.http.port) && o.http.port >= 0 && o.http.port <= 65535).toBe(true)
  for (const server of o.iceServers) expect(server.urls.length).toBeGreaterThan(0)
}

describe('fuzz › relay command line and environment', () => {
  it('any argv and environment give valid options or a UsageError', () => {
    const before = heapAfterGc()
    const outcomes = { run: 0, usage: 0 }
    fc.assert(fc.property(argv, env, fc.boolean(), (args, environment, stderrIsTTY) => {
      let command: Command
      try {
        command = parseCommandLine(args, { env: environment, stderrIsTTY })
      } catch (err) {
        if (!(err instanceof UsageError)) throw err
        expect(err.name).toBe('UsageError')
        expect(typeof err.source).toBe('string')
        outcomes.usage++
        return
      }
      outcomes.run++
      checkCommand(command)
    }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
    // the premise: both paths were reached
    expect(outcomes.run).toBeGreaterThan(0)
    expect(outcomes.usage).toBeGreaterThan(0)
  }, fuzzTimeout(5_000))
})
