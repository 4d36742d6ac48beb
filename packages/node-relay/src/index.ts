/**
 * @peermesh/node-relay: the `peermesh-relay` command (see README.md), and its parts for programs
 * that want to embed a relay.
 *
 * @example
 * ```ts
 * import '@peermesh/core/shims/node'   // first, on Node 20
 * import { parseCommandLine, startRelay, createStderrLogger } from '@peermesh/node-relay'
 *
 * const command = parseCommandLine(['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--http', '127.0.0.1:0'],
 *   { env: {}, stderrIsTTY: false })
 * if (command.kind === 'run') {
 *   const relay = await startRelay({
 *     options: command.options,
 *     logger: createStderrLogger({ level: 'info', format: 'json', sink: process.stderr }),
 *     version: 'embedded',
 *     cwd: process.cwd()
 *   })
 *   console.log(relay.ready.addresses)
 *   await relay.stop()
 * }
 * ```
 */
export {
  OPTION_TABLE,
  formatHelp,
  parseCommandLine,
  type Command,
  type DemoSource,
  type HttpAddress,
  type IceServer,
  type LogFormat,
  type LogLevel,
  type ParseContext,
  type RelayOptions,
  type RelayRole
} from './options.js'
export { DEFAULTS, DATA_DIR_LAYOUT, defaultListenFor } from './defaults.js'
export { UsageError } from './errors.js'
export { createStderrLogger, formatJsonLine, formatPrettyLine, type Logger, type LogSink, type StderrLoggerInit } from './logger.js'
export {
  createRelayHttpServer,
  MAX_REQUEST_TARGET_BYTES,
  type BootstrapInfo,
  type HealthStatus,
  type RelayHttpApi,
  type RelayHttpServer,
  type RelayHttpServerInit
} from './http/server.js'
export { attachChatConsole, type ChatConsoleInit } from './chat-console.js'
export { startRelay, browserDialable, type ReadyEvent, type RunningRelay, type StartRelayInit } from './relay.js'
