/**
 * The command line of `peermesh-relay`: one table of options, from which the parser, the
 * `PEERMESH_*` environment variables and `--help` are all derived.
 *
 * Precedence per option: a flag on the command line wins over its environment variable, which
 * wins over the default. Repeatable options (`--listen`, `--announce`, `--bootstrap`) accept the
 * flag several times and/or comma-separated values; their environment variables are
 * comma-separated. An empty environment variable counts as unset.
 */
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { parseIceServersText } from '@peermesh/core'
import { UsageError } from './errors.js'
import { DEFAULTS, defaultListenFor, defaultMaxConnectionsFor } from './defaults.js'
import { validateBootstrapAddress } from './bootstrap-address.js'
import { isTurnServer } from './ice/turn-credentials.js'

import type { HttpAddress, LogFormat, LogLevel, RelayRole } from './vocabulary.js'
export type { HttpAddress, LogFormat, LogLevel, RelayRole } from './vocabulary.js'

/** What `GET /` serves. */
export type DemoSource =
  | { kind: 'off' }
  /** The built `@peermesh/web-demo` package (its `dist/`), resolved at start. */
  | { kind: 'web-demo' }
  /** A directory given on the command line. */
  | { kind: 'dir', path: string }

/** A WebRTC ICE server, as in `RTCIceServer`. */
export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

/** Everything the command was asked to do, after parsing and validation. */
export interface RelayOptions {
  /** Multiaddrs to listen on. @default `/ip4/127.0.0.1/tcp/4001/ws` for a relay, `/webrtc` for a peer */
  listen: string[]
  /** Multiaddrs to announce instead of the listening ones. @default [] */
  announce: string[]
  /** Directory holding the identity key and the peer store. @default `./.peermesh` */
  dataDir: string
  /** NodeAddress URLs (or multiaddrs) of peers to join through. @default [] */
  bootstrap: string[]
  /** Where the HTTP server listens; `null` when disabled with `--http off`. @default 127.0.0.1:8080 */
  http: HttpAddress | null
  /** Most connections the peer manager keeps (its `maxConnected`). @default 200 for a relay, 64 for a peer (core's presets) */
  maxConnections: number
  /** Circuit-relay reservations a relay grants. @default 128 */
  maxReservations: number
  /**
   * ICE servers for WebRTC: the relay's own node uses them, and `/api/bootstrap` hands them to
   * pages (TURN servers without credentials get fresh ones from `turnSecret`). @default []
   */
  iceServers: IceServer[]
  /**
   * coturn's `static-auth-secret` (`use-auth-secret`): TURN servers in `iceServers` without a
   * username get time-limited credentials made from it, fresh for each page. @default undefined
   */
  turnSecret?: string
  /** How long a TURN credential made from `turnSecret` stays valid, seconds. @default 86400 */
  turnCredentialTtlSeconds: number
  /**
   * PEM certificate (chain) and key files: the HTTP server serves HTTPS, WebSocket listen
   * addresses serve `wss://` (`/ws` becomes `/tls/ws`). Reloaded on SIGHUP and when the files
   * change. @default undefined (plain HTTP and `ws://`)
   */
  tls?: { certPath: string, keyPath: string }
  /**
   * UDP port of the relay's WebRTC-Direct listener (on the host of its first IP listen address),
   * 0 for one chosen by the OS, `null` for none. Its certificate is kept in the data directory.
   * @default 0 for a relay, null for a peer
   */
  webRtcDirectPort: number | null
  /** @default 'info' */
  logLevel: LogLevel
  /** @default 'pretty' when stderr is a terminal, otherwise 'json' */
  logFormat: LogFormat
  /** @default 'relay' */
  role: RelayRole
  /** @default { kind: 'off' } */
  serveDemo: DemoSource
}

/** What the command should do. */
export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run', options: RelayOptions }

/** The environment the parser reads besides argv. */
export interface ParseContext {
  env: Record<string, string | undefined>
  /** Whether stderr is a terminal (chooses the default log format). */
  stderrIsTTY: boolean
}

export type OptionShape =
  /** Takes a value; given once (the last one wins). */
  | 'value'
  /** Takes values; repeatable and comma-separated, collected in order. */
  | 'list'
  /** A bare switch (`--help`). */
  | 'switch'
  /** A switch with an optional `=value` (`--serve-demo`, `--serve-demo=dir`). */
  | 'optional-value'

export interface OptionSpec {
  /** The long flag without dashes. */
  flag: string
  /** Environment variable, or `undefined` for `--help` / `--version`. */
  env?: string
  shape: OptionShape
  /** Shown in help after the flag, e.g. `<multiaddr>`. */
  valueName?: string
  /** The default as shown in `--help`. */
  defaultText?: string
  description: string
}

/**
 * The option table: the single definition of every flag, its environment variable, its default
 * (as shown in help; the values live in `defaults.ts`) and its description.
 */
export const OPTION_TABLE: readonly OptionSpec[] = [
  {
    flag: 'role',
    env: 'PEERMESH_ROLE',
    shape: 'value',
    valueName: 'relay|peer',
    defaultText: DEFAULTS.role,
    description: 'relay: WebSocket entry point, circuit relay and bootstrap for browsers; peer: a plain Node member that joins over WebRTC like a tab'
  },
  {
    flag: 'listen',
    env: 'PEERMESH_LISTEN',
    shape: 'list',
    valueName: '<multiaddr>',
    defaultText: `${defaultListenFor('relay').join(',')} (relay); ${defaultListenFor('peer').join(',')} (peer: reachable through its relays)`,
    description: 'address to listen on; repeatable or comma-separated; port 0 picks a free port'
  },
  {
    flag: 'announce',
    env: 'PEERMESH_ANNOUNCE',
    shape: 'list',
    valueName: '<multiaddr>',
    defaultText: 'none (announce the listening addresses)',
    description: 'address to advertise instead of the listening ones (e.g. a public /dns4/…/tcp/443/wss); repeatable'
  },
  {
    flag: 'data-dir',
    env: 'PEERMESH_DATA_DIR',
    shape: 'value',
    valueName: '<dir>',
    defaultText: DEFAULTS.dataDir,
    description: 'directory for the identity key (identity.key, mode 0600) and the peer store (peers/); created if missing; one process per directory'
  },
  {
    flag: 'bootstrap',
    env: 'PEERMESH_BOOTSTRAP',
    shape: 'list',
    valueName: '<address>',
    defaultText: 'none',
    description: 'NodeAddress URL (e.g. ws://<peerId>@127.0.0.1:4001) or multiaddr of a peer to join through; repeatable or comma-separated'
  },
  {
    flag: 'http',
    env: 'PEERMESH_HTTP',
    shape: 'value',
    valueName: '<host:port>|off',
    defaultText: `${DEFAULTS.http.host}:${DEFAULTS.http.port}`,
    description: 'HTTP server for /healthz, /metrics, /api/* and the demo; port 0 picks a free port; "off" disables it'
  },
  {
    flag: 'max-connections',
    env: 'PEERMESH_MAX_CONNECTIONS',
    shape: 'value',
    valueName: '<n>',
    defaultText: `${defaultMaxConnectionsFor('relay')} (relay), ${defaultMaxConnectionsFor('peer')} (peer)`,
    description: `most connections the peer manager keeps, 1 to ${DEFAULTS.maxConnectionsLimit}`
  },
  {
    flag: 'max-reservations',
    env: 'PEERMESH_MAX_RESERVATIONS',
    shape: 'value',
    valueName: '<n>',
    defaultText: String(DEFAULTS.maxReservations),
    description: `most circuit-relay reservations granted (relay role), 1 to ${DEFAULTS.maxReservationsLimit}`
  },
  {
    flag: 'ice-servers',
    env: 'PEERMESH_ICE_SERVERS',
    shape: 'value',
    valueName: '<json|urls>',
    defaultText: 'none (host candidates only)',
    description: 'WebRTC ICE servers: a JSON array of RTCIceServer objects, or comma-separated stun:/turn:/turns: URLs'
  },
  {
    flag: 'tls-cert',
    env: 'PEERMESH_TLS_CERT',
    shape: 'value',
    valueName: '<file>',
    defaultText: 'none (plain http and ws)',
    description: 'PEM certificate (full chain) for HTTPS and wss://, with --tls-key; /ws listen addresses become /tls/ws; reloaded on SIGHUP and when the file changes'
  },
  {
    flag: 'tls-key',
    env: 'PEERMESH_TLS_KEY',
    shape: 'value',
    valueName: '<file>',
    defaultText: 'none',
    description: 'PEM private key of --tls-cert'
  },
  {
    flag: 'webrtc-direct-port',
    env: 'PEERMESH_WEBRTC_DIRECT_PORT',
    shape: 'value',
    valueName: '<port>|off',
    defaultText: '0 (relay: a UDP port chosen by the OS); off (peer)',
    description: 'UDP port of the WebRTC-Direct listener browsers reach without any CA certificate (on the host of the first IP --listen address); its certificate, and so its certhash, is kept in the data dir (webrtc-direct.pem); a fixed port keeps the whole address across restarts'
  },
  {
    flag: 'turn-secret',
    env: 'PEERMESH_TURN_SECRET',
    shape: 'value',
    valueName: '<secret>',
    defaultText: 'none',
    description: 'coturn static-auth-secret (use-auth-secret): turn:/turns: servers in --ice-servers without credentials get time-limited ones, fresh for every page; prefer the environment variable (a flag shows in ps)'
  },
  {
    flag: 'turn-credential-ttl',
    env: 'PEERMESH_TURN_CREDENTIAL_TTL',
    shape: 'value',
    valueName: '<seconds>',
    defaultText: String(DEFAULTS.turnCredentialTtlSeconds),
    description: `how long a credential made from --turn-secret stays valid, 60 to ${DEFAULTS.turnCredentialTtlLimitSeconds} seconds`
  },
  {
    flag: 'log-level',
    env: 'PEERMESH_LOG_LEVEL',
    shape: 'value',
    valueName: 'debug|info|warn|error',
    defaultText: DEFAULTS.logLevel,
    description: 'least severe level written to stderr'
  },
  {
    flag: 'log-format',
    env: 'PEERMESH_LOG_FORMAT',
    shape: 'value',
    valueName: 'pretty|json',
    defaultText: 'pretty if stderr is a terminal, else json',
    description: 'stderr log format: human-readable lines, or one JSON object per line'
  },
  {
    flag: 'serve-demo',
    env: 'PEERMESH_SERVE_DEMO',
    shape: 'optional-value',
    valueName: '[=<dir>]',
    defaultText: 'off',
    description: 'serve the built web demo at / (default: the @peermesh/web-demo package\'s dist/); env: 1/true, 0/false or a directory'
  },
  {
    flag: 'help',
    shape: 'switch',
    description: 'print this help and exit'
  },
  {
    flag: 'version',
    shape: 'switch',
    description: 'print the version and exit'
  }
]

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json']
const ROLES: readonly RelayRole[] = ['relay', 'peer']

/** A raw value and where it came from, for error messages. */
interface RawValue {
  source: string
  values: string[]
}

/**
 * Parses the command line and the environment into a {@link Command}.
 *
 * @throws {UsageError} for an unknown flag, a missing or bad value, or a positional argument
 */
export function parseCommandLine (argv: readonly string[], context: ParseContext): Command {
  const raw = readRawValues(argv, context.env)
  if (raw.has('help')) return { kind: 'help' }
  if (raw.has('version')) return { kind: 'version' }

  const role = parseOneOf(raw.get('role'), ROLES) ?? DEFAULTS.role
  const options: RelayOptions = {
    role,
    listen: parseList(raw.get('listen'), parseMultiaddr) ?? defaultListenFor(role),
    announce: parseList(raw.get('announce'), parseMultiaddr) ?? [],
    dataDir: parseNonEmpty(raw.get('data-dir')) ?? DEFAULTS.dataDir,
    bootstrap: parseList(raw.get('bootstrap'), validateBootstrapAddress) ?? [],
    http: parseHttp(raw.get('http')),
    maxConnections: parseCount(raw.get('max-connections'), DEFAULTS.maxConnectionsLimit) ?? defaultMaxConnectionsFor(role),
    maxReservations: parseCount(raw.get('max-reservations'), DEFAULTS.maxReservationsLimit) ?? DEFAULTS.maxReservations,
    iceServers: parseIceServers(raw.get('ice-servers')) ?? [],
    webRtcDirectPort: parsePortOrOff(raw.get('webrtc-direct-port'), role === 'relay' ? 0 : null),
    turnCredentialTtlSeconds: parseCount(raw.get('turn-credential-ttl'), DEFAULTS.turnCredentialTtlLimitSeconds, 60) ?? DEFAULTS.turnCredentialTtlSeconds,
    logLevel: parseOneOf(raw.get('log-level'), LOG_LEVELS) ?? DEFAULTS.logLevel,
    logFormat: parseOneOf(raw.get('log-format'), LOG_FORMATS) ?? (context.stderrIsTTY ? 'pretty' : 'json'),
    serveDemo: parseDemoSource(raw.get('serve-demo'))
  }
  const tlsCert = parseNonEmpty(raw.get('tls-cert'))
  const tlsKey = parseNonEmpty(raw.get('tls-key'))
  if ((tlsCert == null) !== (tlsKey == null)) {
    const given = raw.get(tlsCert != null ? 'tls-cert' : 'tls-key')?.source ?? ''
    throw new UsageError(`${given}: --tls-cert and --tls-key go together (a certificate and its key)`, given)
  }
  if (tlsCert != null && tlsKey != null) options.tls = { certPath: tlsCert, keyPath: tlsKey }
  const turnSecret = parseNonEmpty(raw.get('turn-secret'))
  if (turnSecret != null) {
    const source = raw.get('turn-secret')?.source ?? '--turn-secret'
    if (!options.iceServers.some(server => isTurnServer(server) && server.username == null && server.credential == null)) {
      throw new UsageError(`${source}: needs a turn: or turns: server without credentials in --ice-servers to make credentials for`, source)
    }
    options.turnSecret = turnSecret
  }
  return { kind: 'run', options }
}

/** Reads argv with `parseArgs`, then fills in environment variables for flags not given. */
function readRawValues (argv: readonly string[], env: Record<string, string | undefined>): Map<string, RawValue> {
  const parseArgsOptions: Record<string, { type: 'string' | 'boolean', multiple?: boolean }> = {}
  for (const spec of OPTION_TABLE) {
    parseArgsOptions[spec.flag] = spec.shape === 'switch'
      ? { type: 'boolean' }
      : { type: 'string', multiple: true }
  }

  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: normaliseOptionalValues(argv),
      options: parseArgsOptions,
      strict: true,
      allowPositionals: false
    })
  } catch (err) {
    throw new UsageError(oneLine(err instanceof Error ? err.message : String(err)), '', { cause: err })
  }

  const raw = new Map<string, RawValue>()
  for (const spec of OPTION_TABLE) {
    const value = parsed.values[spec.flag]
    if (value === true) {
      raw.set(spec.flag, { source: `--${spec.flag}`, values: [] })
    } else if (Array.isArray(value)) {
      const values = value.filter((v): v is string => typeof v === 'string')
      raw.set(spec.flag, { source: `--${spec.flag}`, values })
    } else if (spec.env != null) {
      const fromEnv = env[spec.env]
      if (fromEnv != null && fromEnv !== '') raw.set(spec.flag, { source: spec.env, values: [fromEnv] })
    }
  }
  return raw
}

/**
 * `parseArgs` has no optional values: a bare `--serve-demo` becomes `--serve-demo=` so that it
 * never swallows the next argument.
 */
function normaliseOptionalValues (argv: readonly string[]): string[] {
  const bare = new Set(OPTION_TABLE.filter(s => s.shape === 'optional-value').map(s => `--${s.flag}`))
  const out: string[] = []
  for (const arg of argv) {
    if (arg === '--') {
      out.push(...argv.slice(out.length))
      break
    }
    out.push(bare.has(arg) ? `${arg}=` : arg)
  }
  return out
}

function oneLine (text: string): string {
  return text.split(/\r?\n/).map(s => s.trim()).filter(s => s !== '').join(' ')
}

function last (raw: RawValue): string {
  return raw.values[raw.values.length - 1] ?? ''
}

function parseNonEmpty (raw: RawValue | undefined): string | undefined {
  if (raw == null) return undefined
  const value = last(raw).trim()
  if (value === '') throw new UsageError(`${raw.source}: expected a value`, raw.source)
  return value
}

function parseOneOf<T extends string> (raw: RawValue | undefined, allowed: readonly T[]): T | undefined {
  if (raw == null) return undefined
  const value = last(raw).trim()
  const found = allowed.find(a => a === value)
  if (found == null) {
    throw new UsageError(`${raw.source}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, raw.source)
  }
  return found
}

function parseCount (raw: RawValue | undefined, max: number, min = 1): number | undefined {
  if (raw == null) return undefined
  const value = last(raw).trim()
  const n = /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${raw.source}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, raw.source)
  }
  return n
}

function parsePortOrOff (raw: RawValue | undefined, fallback: number | null): number | null {
  if (raw == null) return fallback
  const value = last(raw).trim()
  if (value === 'off') return null
  const port = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${raw.source}: expected a UDP port from 0 to 65535 or off, got ${JSON.stringify(value)}`, raw.source)
  }
  return port
}

function parseList (raw: RawValue | undefined, parseItem: (item: string) => string): string[] | undefined {
  if (raw == null) return undefined
  const items = raw.values.flatMap(v => v.split(',')).map(s => s.trim())
  if (items.some(item => item === '')) {
    throw new UsageError(`${raw.source}: empty value in ${JSON.stringify(raw.values.join(','))}`, raw.source)
  }
  return items.map(item => {
    try {
      return parseItem(item)
    } catch (err) {
      const reason = err instanceof Error ? oneLine(err.message) : String(err)
      throw new UsageError(`${raw.source}: ${reason}`, raw.source, { cause: err })
    }
  })
}

function parseMultiaddr (item: string): string {
  try {
    return multiaddr(item).toString()
  } catch (err) {
    throw new InvalidMultiaddrOptionError(`invalid multiaddr ${JSON.stringify(item)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

class InvalidMultiaddrOptionError extends Error {
  override readonly name = 'InvalidMultiaddrOptionError'
}

/** Parses `host:port`, `[v6]:port` or `off`. */
function parseHttp (raw: RawValue | undefined): HttpAddress | null {
  if (raw == null) return { ...DEFAULTS.http }
  const value = last(raw).trim()
  if (value === 'off') return null
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):([0-9]{1,5})$/.exec(value)
  const host = match?.[1] ?? match?.[2]
  const port = Number(match?.[3])
  if (match == null || host == null || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${raw.source}: expected host:port (port 0 to 65535, IPv6 as [::1]:port) or off, got ${JSON.stringify(value)}`, raw.source)
  }
  return { host, port }
}

function parseIceServers (raw: RawValue | undefined): IceServer[] | undefined {
  if (raw == null) return undefined
  try {
    return parseIceServersText(last(raw))
  } catch (err) {
    throw new UsageError(`${raw.source}: ${err instanceof Error ? err.message : String(err)}`, raw.source, { cause: err })
  }
}

function parseDemoSource (raw: RawValue | undefined): DemoSource {
  if (raw == null) return { kind: 'off' }
  const value = last(raw).trim()
  if (raw.source.startsWith('--')) {
    return value === '' ? { kind: 'web-demo' } : { kind: 'dir', path: value }
  }
  const lower = value.toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(lower)) return { kind: 'web-demo' }
  if (['0', 'false', 'no', 'off'].includes(lower)) return { kind: 'off' }
  return { kind: 'dir', path: value }
}

/** The text of `--help`, generated from {@link OPTION_TABLE}. */
export function formatHelp (version: string): string {
  const lines = [
    `peermesh-relay ${version}`,
    '',
    'The WebSocket entry point, circuit relay and bootstrap node of a peermesh network,',
    'or (with --role peer) a plain Node member of the mesh.',
    '',
    'Usage: peermesh-relay [options]',
    '',
    'Prints one JSON line to stdout when ready:',
    '  {"event":"ready","peerId":…,"addresses":[…],"multiaddrs":[…],"http":"http://host:port"}',
    'and logs to stderr. Every flag has an environment variable; a flag wins over it.',
    '',
    'Options:'
  ]
  for (const spec of OPTION_TABLE) {
    const head = spec.shape === 'switch'
      ? `--${spec.flag}`
      : spec.shape === 'optional-value'
        ? `--${spec.flag}${spec.valueName ?? ''}`
        : `--${spec.flag} ${spec.valueName ?? '<value>'}`
    lines.push(`  ${head}`)
    lines.push(`      ${spec.description}`)
    const meta: string[] = []
    if (spec.defaultText != null) meta.push(`default: ${spec.defaultText}`)
    if (spec.env != null) meta.push(`env: ${spec.env}`)
    if (meta.length > 0) lines.push(`      ${meta.join('; ')}`)
  }
  lines.push(
    '',
    'HTTP: GET /healthz, /metrics, /api/peers, /api/topology, /api/bootstrap, / (with --serve-demo)',
    'Signals: SIGINT/SIGTERM stop; SIGHUP reloads the --tls-cert/--tls-key files.',
    'Exit codes: 0 after a clean stop (SIGINT/SIGTERM), 1 on a runtime failure, 2 on a bad flag or value.'
  )
  return lines.join('\n') + '\n'
}
