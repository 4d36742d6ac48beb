import { describe, expect, it } from 'vitest'
import { DEFAULTS, defaultListenFor, defaultMaxConnectionsFor } from '../src/defaults.js'
import { UsageError } from '../src/errors.js'
import { OPTION_TABLE, formatHelp, parseCommandLine, type Command, type RelayOptions } from '../src/options.js'

const PEER_ID = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

function run (argv: string[], env: Record<string, string> = {}, stderrIsTTY = false): RelayOptions {
  const command: Command = parseCommandLine(argv, { env, stderrIsTTY })
  if (command.kind !== 'run') throw new Error(`expected a run command, got ${command.kind}`)
  return command.options
}

function usageError (argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseCommandLine(argv, { env, stderrIsTTY: false })
  } catch (err) {
    if (err instanceof UsageError) return err
    throw err
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`)
}

describe('parseCommandLine', () => {
  it('fills every option with its default when nothing is given', () => {
    expect(run([])).toEqual({
      role: 'relay',
      listen: defaultListenFor('relay'),
      announce: [],
      dataDir: DEFAULTS.dataDir,
      bootstrap: [],
      http: DEFAULTS.http,
      maxConnections: defaultMaxConnectionsFor('relay'),
      maxReservations: DEFAULTS.maxReservations,
      iceServers: [],
      turnCredentialTtlSeconds: DEFAULTS.turnCredentialTtlSeconds,
      webRtcDirectPort: 0,
      logLevel: 'info',
      logFormat: 'json',
      serveDemo: { kind: 'off' }
    })
  })

  it('defaults to pretty logs when stderr is a terminal', () => {
    expect(run([], {}, true).logFormat).toBe('pretty')
  })

  it('lets a peer listen through its relays by default, like a browser tab', () => {
    expect(run(['--role', 'peer']).listen).toEqual(['/webrtc'])
  })

  it('collects repeated and comma-separated list values in order', () => {
    expect(run(['--listen', '/ip4/127.0.0.1/tcp/0/ws,/ip4/127.0.0.1/tcp/0', '--listen=/ip6/::1/tcp/0/ws']).listen)
      .toEqual(['/ip4/127.0.0.1/tcp/0/ws', '/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/0/ws'])
  })

  it('reads PEERMESH_* variables for options not given as flags', () => {
    const options = run([], {
      PEERMESH_ROLE: 'peer',
      PEERMESH_LISTEN: '/ip4/127.0.0.1/tcp/0/ws',
      PEERMESH_MAX_CONNECTIONS: '12',
      PEERMESH_LOG_LEVEL: 'debug',
      PEERMESH_HTTP: '127.0.0.1:0',
      PEERMESH_DATA_DIR: '/tmp/x'
    })
    expect(options).toMatchObject({
      role: 'peer',
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      maxConnections: 12,
      logLevel: 'debug',
      http: { host: '127.0.0.1', port: 0 },
      dataDir: '/tmp/x'
    })
  })

  it('lets a flag win over its environment variable', () => {
    expect(run(['--max-connections', '7'], { PEERMESH_MAX_CONNECTIONS: '12' }).maxConnections).toBe(7)
  })

  it('treats an empty environment variable as unset', () => {
    expect(run([], { PEERMESH_LOG_LEVEL: '' }).logLevel).toBe('info')
  })

  it('parses --http as host:port, [ipv6]:port or off', () => {
    expect(run(['--http', '0.0.0.0:9000']).http).toEqual({ host: '0.0.0.0', port: 9000 })
    expect(run(['--http', '[::1]:0']).http).toEqual({ host: '::1', port: 0 })
    expect(run(['--http', 'localhost:80']).http).toEqual({ host: 'localhost', port: 80 })
    expect(run(['--http', 'off']).http).toBeNull()
  })

  it('reads ICE servers as comma-separated URLs or as a JSON array', () => {
    expect(run(['--ice-servers', 'stun:127.0.0.1:3478,turn:127.0.0.1:3478']).iceServers)
      .toEqual([{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:127.0.0.1:3478' }])
    expect(run(['--ice-servers', '[{"urls":["turn:127.0.0.1:3478"],"username":"u","credential":"p"}]']).iceServers)
      .toEqual([{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }])
  })

  it('takes a TLS certificate and key together, from flags or the environment', () => {
    expect(run(['--tls-cert', 'fullchain.pem', '--tls-key', 'privkey.pem']).tls).toEqual({ certPath: 'fullchain.pem', keyPath: 'privkey.pem' })
    expect(run([], { PEERMESH_TLS_CERT: '/etc/c.pem', PEERMESH_TLS_KEY: '/etc/k.pem' }).tls).toEqual({ certPath: '/etc/c.pem', keyPath: '/etc/k.pem' })
    expect(run([]).tls).toBeUndefined()
  })

  it('refuses a TLS certificate without its key, and a key without its certificate', () => {
    expect(usageError(['--tls-cert', 'c.pem']).message).toMatch(/--tls-cert: --tls-cert and --tls-key go together/)
    expect(usageError([], { PEERMESH_TLS_KEY: 'k.pem' }).source).toBe('PEERMESH_TLS_KEY')
  })

  it('listens for WebRTC-Direct on a relay by default, on a given UDP port, or not at all', () => {
    expect(run([]).webRtcDirectPort).toBe(0)
    expect(run(['--role', 'peer']).webRtcDirectPort).toBeNull()
    expect(run(['--webrtc-direct-port', '4002']).webRtcDirectPort).toBe(4002)
    expect(run(['--webrtc-direct-port', 'off']).webRtcDirectPort).toBeNull()
    expect(run(['--role', 'peer'], { PEERMESH_WEBRTC_DIRECT_PORT: '0' }).webRtcDirectPort).toBe(0)
    expect(usageError(['--webrtc-direct-port', '65536']).message).toMatch(/expected a UDP port from 0 to 65535 or off/)
  })

  it('takes a TURN secret (flag or environment) and a credential lifetime', () => {
    const options = run(['--ice-servers', 'stun:198.19.0.10:3478,turn:198.19.0.10:3478', '--turn-credential-ttl', '600'], { PEERMESH_TURN_SECRET: 's3cret' })
    expect(options.turnSecret).toBe('s3cret')
    expect(options.turnCredentialTtlSeconds).toBe(600)
    expect(run(['--ice-servers', 'turn:198.19.0.10:3478', '--turn-secret', 'x']).turnSecret).toBe('x')
  })

  it('refuses a TURN secret with no TURN server to make credentials for, and a lifetime out of range', () => {
    expect(usageError(['--turn-secret', 's']).message).toMatch(/--turn-secret: needs a turn: or turns: server/)
    expect(usageError(['--ice-servers', 'stun:198.19.0.10:3478', '--turn-secret', 's']).source).toBe('--turn-secret')
    expect(usageError(['--ice-servers', '[{"urls":"turn:198.19.0.10","username":"u","credential":"p"}]'], { PEERMESH_TURN_SECRET: 's' }).source).toBe('PEERMESH_TURN_SECRET')
    expect(usageError(['--turn-credential-ttl', '59']).message).toMatch(/expected an integer from 60 to 604800/)
    expect(usageError(['--turn-credential-ttl', '604801']).source).toBe('--turn-credential-ttl')
  })

  it('serves the web-demo package for a bare --serve-demo and a directory for --serve-demo=<dir>', () => {
    expect(run(['--serve-demo']).serveDemo).toEqual({ kind: 'web-demo' })
    expect(run(['--serve-demo', '--role', 'relay']).serveDemo).toEqual({ kind: 'web-demo' })
    expect(run(['--serve-demo=site']).serveDemo).toEqual({ kind: 'dir', path: 'site' })
    expect(run([], { PEERMESH_SERVE_DEMO: 'true' }).serveDemo).toEqual({ kind: 'web-demo' })
    expect(run([], { PEERMESH_SERVE_DEMO: '0' }).serveDemo).toEqual({ kind: 'off' })
    expect(run([], { PEERMESH_SERVE_DEMO: './public' }).serveDemo).toEqual({ kind: 'dir', path: './public' })
  })

  it('returns help and version commands', () => {
    expect(parseCommandLine(['--help'], { env: {}, stderrIsTTY: false })).toEqual({ kind: 'help' })
    expect(parseCommandLine(['--version'], { env: {}, stderrIsTTY: false })).toEqual({ kind: 'version' })
    expect(parseCommandLine(['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--help'], { env: {}, stderrIsTTY: false })).toEqual({ kind: 'help' })
  })

  it('normalises bootstrap addresses and accepts multiaddrs', () => {
    expect(run(['--bootstrap', `WS://${PEER_ID}@LOCALHOST:4001`]).bootstrap).toEqual([`ws://${PEER_ID}@localhost:4001`])
    expect(run(['--bootstrap', `/ip4/127.0.0.1/tcp/4001/ws/p2p/${PEER_ID}`]).bootstrap).toEqual([`ws://${PEER_ID}@127.0.0.1:4001`])
  })

  describe('refuses with a one-line UsageError naming its source', () => {
    const cases: Array<[string, string[], Record<string, string>, string]> = [
      ['an unknown flag', ['--bogus'], {}, ''],
      ['a positional argument', ['extra'], {}, ''],
      ['a missing value', ['--listen'], {}, ''],
      ['a value that looks like a flag', ['--data-dir', '--role'], {}, ''],
      ['a bad role', ['--role', 'admin'], {}, '--role'],
      ['a bad role from the environment', [], { PEERMESH_ROLE: 'admin' }, 'PEERMESH_ROLE'],
      ['a malformed multiaddr', ['--listen', 'localhost:4001'], {}, '--listen'],
      ['an empty list item', ['--listen', '/ip4/127.0.0.1/tcp/0/ws,'], {}, '--listen'],
      ['a bootstrap address without a peer ID', ['--bootstrap', 'ws://127.0.0.1:4001'], {}, '--bootstrap'],
      ['a bootstrap address that is not an address', ['--bootstrap', 'hello'], {}, '--bootstrap'],
      ['a zero connection limit', ['--max-connections', '0'], {}, '--max-connections'],
      ['a fractional connection limit', ['--max-connections', '1.5'], {}, '--max-connections'],
      ['a connection limit above what libp2p holds', ['--max-connections', '100000'], {}, '--max-connections'],
      ['a non-numeric reservation limit', [], { PEERMESH_MAX_RESERVATIONS: 'many' }, 'PEERMESH_MAX_RESERVATIONS'],
      ['an http address without a port', ['--http', '127.0.0.1'], {}, '--http'],
      ['an http port above 65535', ['--http', '127.0.0.1:65536'], {}, '--http'],
      ['a bad log level', ['--log-level', 'verbose'], {}, '--log-level'],
      ['a bad log format', ['--log-format', 'xml'], {}, '--log-format'],
      ['ICE servers that are not URLs', ['--ice-servers', 'http://example.com'], {}, '--ice-servers'],
      ['ICE servers in broken JSON', ['--ice-servers', '[{"urls":'], {}, '--ice-servers'],
      ['an ICE server object without urls', ['--ice-servers', '[{"username":"u"}]'], {}, '--ice-servers'],
      ['a value for --help', ['--help=yes'], {}, ''],
      ['an empty data dir', ['--data-dir', ' '], {}, '--data-dir']
    ]
    for (const [what, argv, env, source] of cases) {
      it(what, () => {
        const err = usageError(argv, env)
        expect(err.name).toBe('UsageError')
        expect(err.source).toBe(source)
        expect(err.message).not.toContain('\n')
        expect(err.message.length).toBeGreaterThan(0)
      })
    }
  })
})

describe('formatHelp', () => {
  it('lists every option with its environment variable and default', () => {
    const help = formatHelp('1.2.3')
    expect(help).toContain('peermesh-relay 1.2.3')
    for (const spec of OPTION_TABLE) {
      expect(help).toContain(`--${spec.flag}`)
      if (spec.env != null) expect(help).toContain(`env: ${spec.env}`)
      if (spec.defaultText != null) expect(help).toContain(`default: ${spec.defaultText}`)
    }
  })

  it('has an environment variable for every option that takes a value', () => {
    for (const spec of OPTION_TABLE.filter(s => s.shape !== 'switch')) {
      expect(spec.env).toBe(`PEERMESH_${spec.flag.toUpperCase().replaceAll('-', '_')}`)
    }
  })
})
