import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClassicLevel } from 'classic-level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PeerStoreIoError } from '../../src/store/errors.js'
import { createLevelPeerStore, levelPeerKey } from '../../src/store/level-peer-store.js'
import { describePeerStoreCompliance, type PeerStoreHarness } from './peer-store-compliance.js'
import { byPeerId, newPeerIds, peerRecord } from './fixtures.js'

async function tempDir (): Promise<string> {
  return mkdtemp(join(tmpdir(), 'peermesh-level-'))
}

/**
 * A harness over one on-disk database: every `open()` after a `close()` really reopens LevelDB
 * from disk; `writeRaw` writes through the same handle, as a foreign program sharing it would.
 */
async function levelHarness (sublevel?: string): Promise<PeerStoreHarness> {
  const dir = await tempDir()
  let db: ClassicLevel<string, string> | undefined
  const database = (): ClassicLevel<string, string> => {
    if (db === undefined) throw new Error('harness: no store opened yet')
    return db
  }
  const target = () => sublevel === undefined ? database() : database().sublevel<string, string>(sublevel, {})
  return {
    persistent: true,
    open: async (logger) => {
      if (db !== undefined) await db.close()
      db = new ClassicLevel<string, string>(dir)
      await db.open()
      return createLevelPeerStore(logger === undefined ? { db: target() } : { db: target(), logger })
    },
    writeRaw: async (peerId, value) => { await target().put(levelPeerKey(peerId), value) },
    destroy: async () => {
      await db?.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

describePeerStoreCompliance('LevelDB (root database)', async () => levelHarness())
describePeerStoreCompliance('LevelDB (sublevel)', async () => levelHarness('peers'))

describe('createLevelPeerStore', () => {
  let dir: string

  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('keeps records across close and reopen of its own database', async () => {
    const records = (await newPeerIds(20)).map(peerId => peerRecord(peerId))
    const first = await createLevelPeerStore({ location: join(dir, 'db') })
    for (const record of records) await first.put(record)
    await first.close()

    const second = await createLevelPeerStore({ location: join(dir, 'db') })
    const loaded = await second.load()
    await second.close()
    expect(loaded.skipped).toBe(0)
    expect(byPeerId(loaded.records)).toEqual(byPeerId(records))
  })

  it('stores a record as UTF-8 JSON under peer/<peerId>, leaving other keys alone', async () => {
    const [peerId] = await newPeerIds(1) as [string]
    const db = new ClassicLevel<string, string>(join(dir, 'db'))
    await db.put('other/thing', 'not a peer')
    const store = await createLevelPeerStore({ db })
    await store.put(peerRecord(peerId))
    await store.close()

    expect(db.status).toBe('open')
    expect(JSON.parse(await db.get(`peer/${peerId}`) ?? 'null')).toEqual(peerRecord(peerId))
    await expect(createLevelPeerStore({ db }).then(async s => s.load())).resolves.toMatchObject({ skipped: 0 })
    await expect(db.get('other/thing')).resolves.toBe('not a peer')
    await db.close()
  })

  it('fails with PeerStoreIoError when another handle holds the database lock', async () => {
    const location = join(dir, 'db')
    const holder = await createLevelPeerStore({ location })
    const attempt = createLevelPeerStore({ location })
    await expect(attempt).rejects.toBeInstanceOf(PeerStoreIoError)
    await expect(attempt).rejects.toHaveProperty('cause')
    await holder.close()
  })

  it('keeps every acknowledged record when the writing process is killed with SIGKILL', async () => {
    const location = join(dir, 'db')
    const peerIds = await newPeerIds(200)
    const hooks = fileURLToPath(new URL('./child/register-typescript.mjs', import.meta.url))
    const script = fileURLToPath(new URL('./child/level-writer.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', hooks, script, location, JSON.stringify(peerIds)], {
      stdio: ['ignore', 'pipe', 'pipe']
    })

    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on('exit', (_code, signal) => { resolve(signal) })
    })
    await new Promise<void>((resolve, reject) => {
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        if (stdout.split('\n').includes('written')) resolve()
      })
      child.on('exit', (code) => { reject(new Error(`writer exited (${String(code)}) before writing:\n${stderr}`)) })
    })

    child.kill('SIGKILL')
    await expect(exited).resolves.toBe('SIGKILL')

    const store = await createLevelPeerStore({ location })
    const loaded = await store.load()
    await store.close()
    expect(loaded.skipped).toBe(0)
    expect(byPeerId(loaded.records)).toEqual(byPeerId(peerIds.map((peerId, i) => peerRecord(peerId, { score: i }))))
  })
})
