// Spawns the built `peermesh-relay` (relay or --role peer) for the scripts in scripts/: port 0,
// a temporary data dir, JSON logs; resolves with its ready line once it printed one.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const relayBin = join(root, 'packages/node-relay/dist/bin.js')

/**
 * @param {string} name for the temp dir and error messages
 * @param {string[]} args flags besides --http, --data-dir and --log-format
 * @param {Array<() => Promise<unknown> | unknown>} cleanups pushed to: stop the process, remove its data dir
 * @param {{ netns?: string, host?: string, env?: Record<string, string> }} [where] run inside a network
 *   namespace (`ip netns exec`, the NAT lab), HTTP on `host` (default 127.0.0.1), extra environment
 * @returns {Promise<{ peerId: string, addresses: string[], multiaddrs: string[], http: string, child: import('node:child_process').ChildProcess }>}
 */
export async function spawnRelay (name, args, cleanups, where = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), `peermesh-${name}-`))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  const argv = [process.execPath, relayBin, ...args, '--http', `${where.host ?? '127.0.0.1'}:0`, '--data-dir', dataDir, '--log-format', 'json']
  const [file, ...rest] = where.netns === undefined ? argv : ['ip', 'netns', 'exec', where.netns, ...argv]
  const child = spawn(file, rest, {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...where.env }
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000)
      await exited
      clearTimeout(timer)
    }
  })
  const stderr = []
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line)
    if (stderr.length > 50) stderr.shift()
  })
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no ready line within 30 s:\n${stderr.join('\n')}`)), 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${stderr.join('\n')}`))
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed
      try { parsed = JSON.parse(line) } catch { return }
      if (parsed?.event === 'ready') {
        clearTimeout(timer)
        resolve(parsed)
      }
    })
  })
  return { ...ready, child }
}

/** Runs the cleanups newest first, reporting (not throwing) their failures. */
export async function runCleanups (cleanups, label) {
  for (const cleanup of cleanups.reverse()) {
    try { await cleanup() } catch (err) { console.error(`${label}: cleanup: ${err}`) }
  }
}

/** Builds the relay and the page with turbo (cached when nothing changed). */
export async function buildRelayAndPage () {
  const { spawnSync } = await import('node:child_process')
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--filter=@peermesh/node-relay...', '--filter=@peermesh/web-demo', '--output-logs=errors-only'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }
  })
  if (built.status !== 0) throw new Error('the build failed')
}
