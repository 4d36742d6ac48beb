import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { increaseSinceLastRead, increasesSinceLastRead } from '../../src/node/mesh-metrics.js'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

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

describe('mesh metrics › counters', () => {
  it('increaseSinceLastRead returns the growth of a running total, never a decrease', () => {
    let total = 5
    const read = increaseSinceLastRead(() => total)
    expect(read()).toBe(5)
    expect(read()).toBe(0)
    total = 8
    expect(read()).toBe(3)
    total = 2 // the source was replaced and counts again from 0: nothing is added
    expect(read()).toBe(0)
    total = 4
    expect(read()).toBe(2)
  })

  it('increasesSinceLastRead does the same per label, and reports labels that stay at 0', () => {
    const totals = { a: 1, b: 0 }
    const read = increasesSinceLastRead(() => ({ ...totals }))
    expect(read()).toEqual({ a: 1, b: 0 })
    totals.b = 4
    expect(read()).toEqual({ a: 0, b: 4 })
  })

  describe('through @libp2p/prometheus-metrics on a real node', () => {
    let net: TestNetwork | undefined
    afterEach(async () => { await net?.stop() })

    it('read the real count on every scrape: one accepted connection stays 1 over three scrapes', async () => {
      const registry = new Registry()
      net = await createTestNetwork(0)
      const hub = await net.addNode({ metrics: prometheusMetrics({ registry, collectDefaultMetrics: false }) })
      await net.addNode()
      await net.start()
      await net.waitFor(() => hub.router.neighbours().length === 1)

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
})
