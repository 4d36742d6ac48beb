/**
 * Runs the real built command (`node dist/bin.js`) as a child process, the way people and scripts
 * do: waits for its one JSON ready line on stdout, keeps its stderr for failure messages, and
 * waits for states (lines, exits, HTTP answers), never for a fixed time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ReadyEvent } from '../../src/relay.js'

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url))

/** Flags every test process gets: HTTP on a free loopback port, JSON logs. */
export const TEST_FLAGS = ['--http', '127.0.0.1:0', '--log-format', 'json']

/** Flags of a test relay: WebSocket on a free loopback port, plus {@link TEST_FLAGS}. */
export const RELAY_FLAGS = ['--listen', '/ip4/127.0.0.1/tcp/0/ws', ...TEST_FLAGS]

/** Longest a process may take to print its ready line before the test fails. */
const READY_DEADLINE_MS = 30_000

/** The environment without any PEERMESH_* variables of the calling shell. */
export function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PEERMESH_')) env[key] = value
  }
  return { ...env, ...extra }
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface FinishedRun extends Exit {
  stdout: string
  stderr: string
}

/** Runs the command to completion (for --help, --version and argument errors). */
export async function runToExit (args: string[], env: Record<string, string> = {}): Promise<FinishedRun> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exit = await exited(child)
  return { ...exit, stdout, stderr }
}

function exited (child: ChildProcess): Promise<Exit> {
  if (child.exitCode != null || child.signalCode != null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  }
  return new Promise(resolve => {
    child.once('exit', (code, signal) => { resolve({ code, signal }) })
  })
}

/** A running relay process. */
export class RelayProcess {
  readonly child: ChildProcess
  readonly ready: ReadyEvent
  /** Every stdout line after the ready line (there should be none). */
  readonly extraStdout: string[]
  private readonly stderrLines: string[]
  readonly exit: Promise<Exit>

  constructor (child: ChildProcess, ready: ReadyEvent, extraStdout: string[], stderrLines: string[], exit: Promise<Exit>) {
    this.child = child
    this.ready = ready
    this.extraStdout = extraStdout
    this.stderrLines = stderrLines
    this.exit = exit
  }

  get http (): string {
    if (this.ready.http == null) throw new Error('this relay runs without HTTP')
    return this.ready.http
  }

  stderr (): string {
    return this.stderrLines.join('\n')
  }

  /** Parsed JSON log lines from stderr. */
  logs (): Array<Record<string, unknown>> {
    return this.stderrLines.flatMap(line => {
      try {
        return [JSON.parse(line) as Record<string, unknown>]
      } catch {
        return []
      }
    })
  }

  /** Types a line on the process's stdin (the node broadcasts it as chat). */
  writeLine (text: string): void {
    this.child.stdin?.write(`${text}\n`)
  }

  async getJson<T = unknown> (path: string): Promise<T> {
    const res = await fetch(`${this.http}${path}`)
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`)
    return await res.json() as T
  }

  /** Sends a signal and resolves with the exit and how long it took. */
  async signal (signal: NodeJS.Signals): Promise<Exit & { durationMs: number }> {
    const startedAt = performance.now()
    this.child.kill(signal)
    const exit = await this.exit
    return { ...exit, durationMs: performance.now() - startedAt }
  }

  /** Stops the process if it still runs: SIGTERM, then SIGKILL if it does not exit in time. */
  async dispose (): Promise<void> {
    if (this.child.exitCode != null || this.child.signalCode != null) return
    this.child.kill('SIGTERM')
    const forced = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await this.exit
    clearTimeout(forced)
  }
}

/** Starts the command and resolves once it printed its ready line. */
export async function startRelayProcess (args: string[], env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
  const exit = exited(child)
  const stderrLines: string[] = []
  createInterface({ input: child.stderr! }).on('line', line => { stderrLines.push(line) })
  const extraStdout: string[] = []
  const stdoutLines = createInterface({ input: child.stdout! })

  const ready = await new Promise<ReadyEvent>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no ready line within ${READY_DEADLINE_MS} ms; stderr:\n${stderrLines.join('\n')}`))
    }, READY_DEADLINE_MS)
    let seen = false
    stdoutLines.on('line', line => {
      if (seen) {
        extraStdout.push(line)
        return
      }
      seen = true
      clearTimeout(deadline)
      try {
        resolve(JSON.parse(line) as ReadyEvent)
      } catch (err) {
        reject(new Error(`first stdout line is not JSON: ${line}`, { cause: err }))
      }
    })
    void exit.then(({ code, signal }) => {
      clearTimeout(deadline)
      reject(new Error(`exited (code ${code}, signal ${signal}) before ready; stderr:\n${stderrLines.join('\n')}`))
    })
  })
  return new RelayProcess(child, ready, extraStdout, stderrLines, exit)
}

/** A temporary data directory, removed by the returned cleanup. */
export async function tempDataDir (): Promise<{ path: string, remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'peermesh-relay-test-'))
  return { path, remove: async () => { await rm(path, { recursive: true, force: true }) } }
}
