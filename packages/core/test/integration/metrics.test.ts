import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('peermesh metrics', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('are exposed through libp2p metrics as Prometheus text', async () => {
    const registry = new Registry()
    net = await createTestNetwork(0)
    const hub = await net.addNode({ metrics: prometheusMetrics({ registry, collectDefaultMetrics: false }) })
    await net.addNode()
    await net.start()
    await net.waitFor(() => hub.router.neighbours().length === 1)
    const text = await registry.metrics()
    expect(text).toMatch(/^peermesh_connections\{transport="memory"\} 1$/m)
    expect(text).toMatch(/^peermesh_peers\{state="connected"\} 1$/m)
    expect(text).toMatch(/^peermesh_inbound_total\{outcome="accepted"\} 1$/m)
    expect(text).toMatch(/^peermesh_topology_nodes \d+$/m)
  })
})
