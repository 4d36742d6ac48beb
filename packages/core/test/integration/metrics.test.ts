import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork, type TestNode } from '../../src/testing/index.js'

/** `name{labels} value` lines of one exposition, as a map. */
function samples (text: string, prefix: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue
    const space = line.lastIndexOf(' ')
    out.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return out
}


describe('peermesh metrics', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  /** A node exporting Prometheus metrics with one neighbour. */
  async function hubWithOnePeer (): Promise<{ hub: TestNode, registry: Registry }> {
    const registry = new Registry()
    net = await createTestNetwork(0)
    const hub = await net.addNode({ metrics: prometheusMetrics({ registry, collectDefaultMetrics: false }) })
    await net.addNode()
    await net.start()
    await net.waitFor(() => hub.router.neighbours().length === 1)
    return { hub, registry }
  }

  it('are exposed through libp2p metrics as Prometheus text', async () => {
    const { registry } = await hubWithOnePeer()
    const text = await registry.metrics()
    expect(text).toMatch(/^peermesh_connections\{transport="memory"\} 1$/m)
    expect(text).toMatch(/^peermesh_peers\{state="connected"\} 1$/m)
    expect(text).toMatch(/^peermesh_inbound_total\{outcome="accepted"\} 1$/m)
    expect(text).toMatch(/^peermesh_topology_nodes \d+$/m)
  })

  it('read the real count on every scrape: one accepted connection stays 1 over three scrapes', async () => {
    const { hub, registry } = await hubWithOnePeer()

    const scrapes: Array<Map<string, number>> = []
    for (let i = 0; i < 3; i++) scrapes.push(samples(await registry.metrics(), 'peermesh_'))
    for (const scrape of scrapes) {
      expect(scrape.get('peermesh_inbound_total{outcome="accepted"}')).toBe(hub.router.stats.inboundAccepted)
      expect(scrape.get('peermesh_inbound_total{outcome="accepted"}')).toBe(1)
    }
    // every counter is monotone and equals its component's total at the last scrape
    const counters = [...scrapes[2]!.keys()].filter(key => /^peermesh_[a-z_]+_total/.test(key))
    expect(counters.length).toBeGreaterThan(20)
    for (const key of counters) {
      expect(scrapes[1]!.get(key)!, key).toBeGreaterThanOrEqual(scrapes[0]!.get(key)!)
      expect(scrapes[2]!.get(key)!, key).toBeGreaterThanOrEqual(scrapes[1]!.get(key)!)
    }
    const last = scrapes[2]!
    expect(last.get('peermesh_dials_total{outcome="started"}')).toBeLessThanOrEqual(hub.router.stats.dialsStarted)
    expect(last.get('peermesh_store_total{event="writes"}')).toBeLessThanOrEqual(hub.peerManager.stats().storeWrites)
  })
})
