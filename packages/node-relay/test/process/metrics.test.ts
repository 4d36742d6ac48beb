/**
 * `/metrics` read several times from a real relay process with one real peer process connected:
 * every counter is monotone and reads the real count on each scrape (a counter used to grow by its
 * whole value on every scrape: 1 → 2 → 3 accepted connections with one peer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text.js'
import { RELAY_FLAGS, TEST_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const MESH_DEADLINE = { timeout: 30_000, interval: 100 }

/** `family{label="value"}` → value, for every peermesh_* counter family. */
function counters (families: Map<string, MetricFamily>): Map<string, number> {
  const out = new Map<string, number>()
  for (const family of families.values()) {
    if (family.type !== 'counter' || !family.name.startsWith('peermesh_')) continue
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${v}"`).join(',')
      out.set(`${sample.name}{${labels}}`, sample.value)
    }
  }
  return out
}

async function scrape (process: RelayProcess): Promise<Map<string, number>> {
  const res = await fetch(`${process.http}/metrics`)
  expect(res.status).toBe(200)
  return counters(parsePrometheusText(await res.text()))
}

describe('/metrics of a relay with one peer, scraped three times', () => {
  const dirs: Array<Awaited<ReturnType<typeof tempDataDir>>> = []
  let relay: RelayProcess
  let peer: RelayProcess

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) dirs.push(await tempDataDir())
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dirs[0]!.path])
    peer = await startRelayProcess(['--role', 'peer', ...TEST_FLAGS, '--data-dir', dirs[1]!.path, '--bootstrap', relay.ready.addresses[0] ?? ''])
  })

  /** The premise of both tests: the peer is connected to the relay (and it is its only peer). */
  async function connected (): Promise<void> {
    await expect.poll(async () => {
      const { peers } = await relay.getJson<{ peers: PeerView[] }>('/api/peers')
      return peers.map(p => ({ peerId: p.peerId, state: p.state }))
    }, MESH_DEADLINE).toEqual([{ peerId: peer.ready.peerId, state: 'connected' }])
  }

  afterAll(async () => {
    await Promise.all([relay?.dispose(), peer?.dispose()])
    await Promise.all(dirs.map(async d => { await d.remove() }))
  })

  it('counts the one accepted connection as 1 on every scrape, and every counter is monotone', async () => {
    await connected()
    const scrapes: Array<Map<string, number>> = []
    for (let i = 0; i < 3; i++) scrapes.push(await scrape(relay))

    for (const s of scrapes) expect(s.get('peermesh_inbound_total{outcome="accepted"}')).toBe(1)
    const keys = [...scrapes[2]!.keys()]
    expect(keys.length).toBeGreaterThan(20)
    for (const key of keys) {
      expect(scrapes[1]!.get(key) ?? 0, key).toBeLessThanOrEqual(scrapes[2]!.get(key)!)
      expect(scrapes[0]!.get(key) ?? 0, key).toBeLessThanOrEqual(scrapes[1]!.get(key)!)
    }
    // a relay that idles with one peer: its dials and inbound counts do not move between scrapes
    for (const key of keys.filter(k => k.startsWith('peermesh_dials_total') || k.startsWith('peermesh_inbound_total'))) {
      expect(scrapes[2]!.get(key), key).toBe(scrapes[0]!.get(key))
    }
  })

  it('counts the peer\'s own dial to the relay once on every scrape', async () => {
    await connected()
    const scrapes: Array<Map<string, number>> = []
    for (let i = 0; i < 3; i++) scrapes.push(await scrape(peer))
    for (const s of scrapes) {
      expect(s.get('peermesh_dials_total{outcome="succeeded"}')).toBe(1)
      expect(s.get('peermesh_inbound_total{outcome="accepted"}')).toBe(0)
    }
  })
})
