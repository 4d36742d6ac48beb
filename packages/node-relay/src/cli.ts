/**
 * The `peermesh-relay` process: parse the command line, start the relay, print the ready line,
 * chat through stdin and the log (see chat-console.ts), and stop cleanly on SIGINT/SIGTERM.
 *
 * Exit codes: 0 after a clean stop (or `--help` / `--version`), 1 when starting or stopping
 * failed or a stop took longer than `DEFAULTS.stopTimeoutMs`, 2 for a bad flag or value, and
 * 128 + signal number when a second signal forces the exit.
 */
import { DEFAULTS } from './defaults.js'
import { attachChatConsole } from './chat-console.js'
import { UsageError } from './errors.js'
import { createStderrLogger } from './logger.js'
import { formatHelp, parseCommandLine, type Command } from './options.js'
import { startRelay } from './relay.js'
import { readPackageVersion } from './version.js'

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type StopSignal = keyof typeof SIGNAL_EXIT_CODES

/** Runs the command in this process; resolves when the process should exit (with `process.exitCode` set). */
export async function runCli (proc: NodeJS.Process): Promise<void> {
  const version = readPackageVersion()
  let command: Command
  try {
    command = parseCommandLine(proc.argv.slice(2), { env: proc.env, stderrIsTTY: proc.stderr.isTTY === true })
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    proc.stderr.write(`peermesh-relay: ${err.message} (see --help)\n`)
    proc.exitCode = 2
    return
  }

  if (command.kind === 'help') {
    proc.stdout.write(formatHelp(version))
    return
  }
  if (command.kind === 'version') {
    proc.stdout.write(`${version}\n`)
    return
  }

  const { options } = command
  // A log or ready-line reader that goes away (`| head -n1`) must not take the relay down with EPIPE.
  proc.stdout.on('error', () => {})
  proc.stderr.on('error', () => {})
  const logger = createStderrLogger({ level: options.logLevel, format: options.logFormat, sink: proc.stderr })

  let requestStop!: (signal: StopSignal) => void
  const stopRequested = new Promise<StopSignal>(resolve => { requestStop = resolve })
  let signalled = false
  const onSignal = (signal: StopSignal): void => {
    if (signalled) {
      logger.warn('second signal: exiting without finishing the stop', { signal })
      proc.exit(SIGNAL_EXIT_CODES[signal])
    }
    signalled = true
    requestStop(signal)
  }
  proc.on('SIGINT', () => { onSignal('SIGINT') })
  proc.on('SIGTERM', () => { onSignal('SIGTERM') })
  proc.on('unhandledRejection', reason => {
    logger.error('unhandled promise rejection (kept running)', { error: reason })
  })

  logger.info('starting', { version, role: options.role, dataDir: options.dataDir, listen: options.listen, bootstrap: options.bootstrap })
  let relay: Awaited<ReturnType<typeof startRelay>>
  try {
    relay = await startRelay({ options, logger, version, cwd: proc.cwd() })
  } catch (err) {
    logger.error('could not start', { error: err })
    proc.exitCode = 1
    return
  }

  proc.stdout.write(JSON.stringify(relay.ready) + '\n')
  logger.info('ready', { peerId: relay.ready.peerId, addresses: relay.ready.addresses, http: relay.ready.http })
  if (options.serveDemo.kind !== 'off' && relay.ready.http != null) {
    logger.info(`web demo: open ${relay.ready.http}/ in a browser`, { url: `${relay.ready.http}/` })
  }
  const detachChat = attachChatConsole({ node: relay.node, input: proc.stdin, logger })
  const onHangup = (): void => {
    if (options.tls == null) {
      logger.info('SIGHUP ignored: no --tls-cert to reload')
      return
    }
    logger.info('SIGHUP: reloading the tls certificate')
    void relay.reloadTls()
  }
  proc.on('SIGHUP', onHangup)

  const signal = await stopRequested
  proc.off('SIGHUP', onHangup)
  detachChat()
  const stopStartedAt = Date.now()
  logger.info('stopping', { signal })
  const watchdog = setTimeout(() => {
    logger.error('stop took too long: exiting anyway', { timeoutMs: DEFAULTS.stopTimeoutMs })
    proc.exit(1)
  }, DEFAULTS.stopTimeoutMs)
  watchdog.unref()
  try {
    await relay.stop()
    logger.info('stopped', { durationMs: Date.now() - stopStartedAt })
    proc.exitCode = 0
  } catch (err) {
    logger.error('stop failed', { error: err })
    proc.exitCode = 1
  } finally {
    clearTimeout(watchdog)
  }
}
