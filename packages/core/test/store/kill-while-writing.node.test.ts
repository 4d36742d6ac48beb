/**
 * `kill -9` of a process while it writes its LevelDB peer store, many times over the same store:
 * after each kill the store opens, skips nothing, and holds every acknowledged write (a put()
 * that resolved): for each peer, the round of its last acknowledged write or a later one, never an
 * earlier one and never a torn record.
 *
 * PEERMESH_KILL_ITERATIONS sets the number of kills (20 by default; `npm run crash -w @peermesh/core` runs 200).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLevelPeerStore } from '../../src/store/level-peer-store.js'
import { newPeerIds } from './fixtures.js'

const ITERATIONS = Number(process.env.PEERMESH_KILL_ITERATIONS ?? 20)
const HOOKS = fileURLToPath(new URL('./child/register-typescript.mjs', import.meta.url))
const WRITER = fileURLToPath(new URL('./child/level-writer-forever.ts', import.meta.url))

/** Runs the writer until it has acknowledged `killAfterAcks` writes, then kills it with SIGKILL mid-stream. */
async function writeThenKill (location: string, peerIds: string[], firstRound: number, killAfterAcks: number): Promise<Map<number, number>> {
  const child = spawn(process.execPath, ['--import', HOOKS, WRITER, location, JSON.stringify(peerIds), String(firstRound)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<NodeJS.Signals | null>(resolve => { child.once('exit', (_code, signal) => { resolve(signal) }) })
  const acked = new Map<number, number>() // peer index → round of its last acknowledged write
  let acks = 0
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', line => {
      const match = /^ack (\d+) (\d+)$/.exec(line)
      if (match == null) return
      acked.set(Number(match[1]), Number(match[2]))
      // kill while the next write is under way: the writer does not wait for us
      if (++acks === killAfterAcks) { child.kill('SIGKILL'); resolve() }
    })
    void exited.then(signal => { if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${String(signal)}):\n${stderr}`)) })
  })
  expect(await exited).toBe('SIGKILL')
  return acked
}

describe('LevelDB peer store › kill -9 while writing', () => {
  let dir: string
  let peerIds: string[]
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peermesh-kill-'))
    peerIds = await newPeerIds(50)
  })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it(`keeps every acknowledged write over ${ITERATIONS} kills at random moments`, async () => {
    const location = join(dir, 'db')
    const lastAcked = new Map<number, number>()
    let round = 0
    for (let i = 0; i < ITERATIONS; i++) {
      // kill after 1 to 120 acknowledged writes: at the start, mid-round or across rounds
      const killAfter = 1 + Math.floor(Math.random() * 120)
      const acked = await writeThenKill(location, peerIds, round, killAfter)
      for (const [index, r] of acked) lastAcked.set(index, r)
      round = Math.max(...acked.values()) + 1

      const store = await createLevelPeerStore({ location })
      const { records, skipped } = await store.load()
      await store.close()
      expect(skipped, `iteration ${i}`).toBe(0)
      const loaded = new Map(records.map(r => [r.peerId, r]))
      for (const [index, r] of lastAcked) {
        const record = loaded.get(peerIds[index]!)
        expect(record, `iteration ${i}: peer ${index} (acknowledged in round ${r}) is missing`).toBeDefined()
        expect(record!.score, `iteration ${i}: peer ${index}`).toBeGreaterThanOrEqual(r)
        expect(record!.banReason).toBe(`round ${record!.score} `.repeat(60))
      }
      // every record on disk is one the writer wrote whole
      expect(records.every(r => peerIds.includes(r.peerId))).toBe(true)
    }
    expect(lastAcked.size).toBeGreaterThan(0)
  }, 60_000 + ITERATIONS * 15_000)
})
