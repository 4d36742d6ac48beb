/**
 * Faults of a relay process over its own data directory:
 * - `kill -9` again and again while it loads its store, dials the peer it remembers and writes
 *   that peer's record: each restart has the same identity and every peer it had acknowledged
 *   (written by a clean stop, which flushes the store: the store's acknowledgement);
 * - a corrupt record in its LevelDB store on disk: skipped, reported (log and metric), the rest loaded.
 *
 * PEERMESH_RELAY_KILL_ITERATIONS sets the number of kills (20 by default).
 */
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { DATA_DIR_LAYOUT } from '../../src/defaults.js'
import { parsePrometheusText } from '../support/prometheus-text.js'
import { RELAY_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const ITERATIONS = Number(process.env.PEERMESH_RELAY_KILL_ITERATIONS ?? 20)
const STATE_DEADLINE = { timeout: 30_000, interval: 50 }

/** The moment of each kill, in turn: as soon as it is ready, while it dials, once it is connected. */
const KILL_MOMENTS = ['ready', 'dialing', 'connected'] as const

describe('a relay killed with SIGKILL, over and over', () => {
  const dirs: Array<Awaited<ReturnType<typeof tempDataDir>>> = []
  const running: RelayProcess[] = []
  let dirA: string
  let b: RelayProcess

  async function start (args: string[]): Promise<RelayProcess> {
    const relay = await startRelayProcess(args)
    running.push(relay)
    return relay
  }

  async function peersOf (relay: RelayProcess): Promise<PeerView[]> {
    return (await relay.getJson<{ peers: PeerView[] }>('/api/peers')).peers
  }

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dirs.push(await tempDataDir())
    dirA = dirs[0]!.path
    b = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dirs[1]!.path])
  })

  /** A relay on `dir` meets B, then stops cleanly (which flushes B's record): B is acknowledged. */
  async function meetB (dir: string): Promise<RelayProcess> {
    const a = await start([...RELAY_FLAGS, '--data-dir', dir, '--bootstrap', b.ready.addresses[0] ?? ''])
    await expect.poll(async () => (await peersOf(a)).find(p => p.peerId === b.ready.peerId)?.state, STATE_DEADLINE).toBe('connected')
    expect((await a.signal('SIGTERM')).code).toBe(0)
    return a
  }
  afterEach(async () => { await Promise.all(running.splice(0).map(async r => { await r.dispose() })) })
  afterAll(async () => {
    await b?.dispose()
    await Promise.all(dirs.map(async d => { await d.remove() }))
  })

  it(`restarts ${ITERATIONS} times with its identity and every peer it had acknowledged`, async () => {
    const first = await meetB(dirA)
    const acknowledged = [b.ready.peerId]

    const killedAt: Record<string, number> = { ready: 0, dialing: 0, connected: 0 }
    for (let i = 0; i < ITERATIONS; i++) {
      const a = await start([...RELAY_FLAGS, '--data-dir', dirA])
      expect(a.ready.peerId, `restart ${i}`).toBe(first.ready.peerId)
      const loaded = await peersOf(a)
      for (const peerId of acknowledged) {
        const view = loaded.find(p => p.peerId === peerId)
        expect(view, `restart ${i}: acknowledged peer ${peerId} missing`).toBeDefined()
        expect(view!.addresses, `restart ${i}`).toEqual(expect.arrayContaining(b.ready.addresses))
      }
      const moment = KILL_MOMENTS[i % KILL_MOMENTS.length]!
      if (moment !== 'ready') {
        const wanted = moment === 'dialing' ? ['dialing', 'connected'] : ['connected']
        await expect.poll(async () => wanted.includes((await peersOf(a)).find(p => p.peerId === b.ready.peerId)?.state ?? ''), STATE_DEADLINE).toBe(true)
      }
      expect((await a.signal('SIGKILL')).signal).toBe('SIGKILL')
      killedAt[moment]!++
    }
    expect(Object.values(killedAt).reduce((x, y) => x + y, 0)).toBe(ITERATIONS)

    // after the last kill: still the same identity, still B, and it connects to B again
    const last = await start([...RELAY_FLAGS, '--data-dir', dirA])
    expect(last.ready.peerId).toBe(first.ready.peerId)
    await expect.poll(async () => (await peersOf(last)).find(p => p.peerId === b.ready.peerId)?.state, STATE_DEADLINE).toBe('connected')
  })

  it('skips and reports corrupt records in its LevelDB store, and loads the rest', async () => {
    const dir = dirs[2]!.path
    await meetB(dir)
    const db = new ClassicLevel<string, string>(join(dir, DATA_DIR_LAYOUT.peerStore))
    await db.put('peer/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', '{"v":1,"peerId":"12D3KooW') // cut mid-write
    await db.put('peer/not-a-peer-id', 'garbage \u0000\u00ff')
    await db.close()

    const a = await start([...RELAY_FLAGS, '--data-dir', dir])
    expect((await peersOf(a)).map(p => p.peerId)).toContain(b.ready.peerId)
    const warnings = a.logs().filter(entry => entry.msg === 'peer store: skipping a stored record that could not be decoded')
    expect(warnings.map(w => w.key).sort()).toEqual(['peer/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', 'peer/not-a-peer-id'])
    const families = parsePrometheusText(await (await fetch(`${a.http}/metrics`)).text())
    const skipped = families.get('peermesh_store_total')?.samples.find(s => s.labels.event === 'skipped_records')
    expect(skipped?.value).toBe(2)
  })
})
