import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parsePrometheusText } from '../support/prometheus-text.js'
import { RELAY_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

/** "Within a few seconds": the bound for a clean stop. */
const STOP_WITHIN_MS = 5_000

describe('a running relay', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>
  let relay: RelayProcess

  beforeAll(async () => {
    dataDir = await tempDataDir()
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path])
  })

  afterAll(async () => {
    await relay?.dispose()
    await dataDir?.remove()
  })

  it('prints one ready line with its peer ID, NodeAddress URLs, multiaddrs and HTTP URL', () => {
    const { ready } = relay
    expect(ready.event).toBe('ready')
    expect(ready.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/)
    // its WebSocket address, then its WebRTC-Direct one (on by default for a relay)
    expect(ready.addresses).toHaveLength(2)
    expect(ready.addresses[0]).toMatch(new RegExp(`^ws://${ready.peerId}@127\\.0\\.0\\.1:[1-9][0-9]*$`))
    expect(ready.addresses[1]).toMatch(new RegExp(`^webrtc-direct://${ready.peerId}@127\\.0\\.0\\.1:[1-9][0-9]*\\?certhash=u`))
    expect(ready.multiaddrs.some(ma => /^\/ip4\/127\.0\.0\.1\/tcp\/[1-9][0-9]*\/ws/.test(ma))).toBe(true)
    expect(ready.http).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/)
    expect(Object.keys(ready).sort()).toEqual(['addresses', 'event', 'http', 'multiaddrs', 'peerId'])
  })

  it('answers /healthz with its status', async () => {
    const health = await relay.getJson<Record<string, unknown>>('/healthz')
    expect(health).toMatchObject({ status: 'ok', peerId: relay.ready.peerId, role: 'relay', connections: 0 })
    expect(health.uptimeSeconds).toBeTypeOf('number')
  })

  it('serves /metrics as valid Prometheus text with libp2p, peermesh and process metrics', async () => {
    const res = await fetch(`${relay.http}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const families = parsePrometheusText(await res.text())
    expect(families.get('peermesh_relay_info')?.samples[0]).toMatchObject({
      labels: { peer_id: relay.ready.peerId, role: 'relay' }, value: 1
    })
    expect(families.has('peermesh_peers')).toBe(true)
    expect([...families.keys()].some(name => name.startsWith('libp2p_'))).toBe(true)
    expect(families.has('process_cpu_user_seconds_total')).toBe(true)
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true)
  })

  it('tells browsers its WebSocket addresses in /api/bootstrap, readable from any origin', async () => {
    const res = await fetch(`${relay.http}/api/bootstrap`, { headers: { Origin: 'http://example.test' } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await res.json()).toEqual({ peerId: relay.ready.peerId, addresses: relay.ready.addresses, iceServers: [] })
  })

  it('serves its peers and its view of the mesh', async () => {
    expect(await relay.getJson('/api/peers')).toEqual({ peerId: relay.ready.peerId, peers: [] })
    expect(await relay.getJson('/api/topology')).toMatchObject({ self: relay.ready.peerId })
  })

  it('keeps its identity key readable by its owner only', async () => {
    const info = await stat(join(dataDir.path, 'identity.key'))
    expect(info.mode & 0o777).toBe(0o600)
  })
})

describe('stopping and restarting', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>
  const running: RelayProcess[] = []

  async function start (): Promise<RelayProcess> {
    const relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path])
    running.push(relay)
    return relay
  }

  beforeAll(async () => { dataDir = await tempDataDir() })
  afterEach(async () => { await Promise.all(running.splice(0).map(async r => { await r.dispose() })) })
  afterAll(async () => { await dataDir?.remove() })

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops cleanly on ${signal} within a few seconds, exiting 0`, async () => {
      const relay = await start()
      const exit = await relay.signal(signal)
      expect(exit).toMatchObject({ code: 0, signal: null })
      expect(exit.durationMs).toBeLessThan(STOP_WITHIN_MS)
      expect(relay.extraStdout).toEqual([])
      expect(relay.logs().map(line => line.msg)).toEqual(expect.arrayContaining(['ready', 'stopping', 'stopped']))
      expect(relay.logs().filter(line => line.level === 'error')).toEqual([])
    })
  }

  it('still stops cleanly when whoever read its logs has gone away', async () => {
    const relay = await start()
    relay.child.stderr?.destroy()
    expect(await relay.signal('SIGTERM')).toMatchObject({ code: 0, signal: null })
  })

  it('keeps its peer ID across a restart', async () => {
    const first = await start()
    await first.signal('SIGTERM')
    const second = await start()
    expect(second.ready.peerId).toBe(first.ready.peerId)
  })

  it('keeps its peer ID after kill -9', async () => {
    const first = await start()
    expect((await first.signal('SIGKILL')).signal).toBe('SIGKILL')
    const second = await start()
    expect(second.ready.peerId).toBe(first.ready.peerId)
  })

  it('takes its configuration from PEERMESH_* variables, and runs without HTTP when told so', async () => {
    const relay = await startRelayProcess([], {
      PEERMESH_LISTEN: '/ip4/127.0.0.1/tcp/0/ws',
      PEERMESH_HTTP: 'off',
      PEERMESH_DATA_DIR: dataDir.path,
      PEERMESH_LOG_FORMAT: 'json'
    })
    running.push(relay)
    expect(relay.ready.http).toBeNull()
    expect(relay.ready.addresses[0]).toMatch(/^ws:\/\/[^@]+@127\.0\.0\.1:[1-9][0-9]*$/)
    expect(relay.logs().find(line => line.msg === 'starting')).toMatchObject({ dataDir: dataDir.path })
  })

  it('exits 1 with the reason when its HTTP port is taken', async () => {
    const other = await tempDataDir()
    try {
      const first = await startRelayProcess([...RELAY_FLAGS, '--data-dir', other.path])
      running.push(first)
      const taken = first.http.replace('http://', '')
      await expect(startRelayProcess(['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--http', taken, '--log-format', 'json', '--data-dir', dataDir.path]))
        .rejects.toThrow(/exited \(code 1.*could not start.*EADDRINUSE/s)
    } finally {
      await Promise.all(running.splice(0).map(async r => { await r.dispose() }))
      await other.remove()
    }
  })

  it('refuses a second process on the same data directory with exit code 1', async () => {
    await start()
    const second = startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path])
    await expect(second).rejects.toThrow(/exited \(code 1/)
  })
})

describe('serving the web demo', () => {
  it('serves the given directory at / and logs where to point a browser', async () => {
    const dataDir = await tempDataDir()
    const site = join(dataDir.path, 'site')
    await mkdir(site)
    await writeFile(join(site, 'index.html'), '<!doctype html><title>served by the relay</title>')
    const relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', join(dataDir.path, 'state'), `--serve-demo=${site}`])
    try {
      const res = await fetch(`${relay.http}/`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(await res.text()).toContain('served by the relay')
      await expect.poll(() => relay.logs().find(line => line.url === `${relay.http}/`)?.msg).toBe(`web demo: open ${relay.http}/ in a browser`)
    } finally {
      await relay.dispose()
      await dataDir.remove()
    }
  })
})
