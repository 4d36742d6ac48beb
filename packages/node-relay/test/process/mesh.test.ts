import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { RELAY_FLAGS, TEST_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

/** How long the mesh may take to reach a state before the test fails (polled, never slept). */
const MESH_DEADLINE = { timeout: 30_000, interval: 100 }

interface PeersResponse {
  peerId: string
  peers: PeerView[]
}

async function viewOf (from: RelayProcess, peerId: string): Promise<PeerView | undefined> {
  const { peers } = await from.getJson<PeersResponse>('/api/peers')
  return peers.find(peer => peer.peerId === peerId)
}

describe('relays and peers as processes', () => {
  const dirs: Array<Awaited<ReturnType<typeof tempDataDir>>> = []
  const running: RelayProcess[] = []

  async function dataDir (): Promise<string> {
    const dir = await tempDataDir()
    dirs.push(dir)
    return dir.path
  }

  async function start (args: string[]): Promise<RelayProcess> {
    const relay = await startRelayProcess(args)
    running.push(relay)
    return relay
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map(async r => { await r.dispose() }))
  })

  afterAll(async () => {
    await Promise.all(dirs.map(async d => { await d.remove() }))
  })

  describe('two relays, the second bootstrapped from the first', () => {
    let dirA: string
    let dirB: string

    beforeAll(async () => {
      dirA = await dataDir()
      dirB = await dataDir()
    })

    it('find each other and learn each other\'s WebSocket addresses', async () => {
      const a = await start([...RELAY_FLAGS, '--data-dir', dirA])
      const b = await start([...RELAY_FLAGS, '--data-dir', dirB, '--bootstrap', a.ready.addresses[0] ?? ''])

      await expect.poll(async () => (await viewOf(a, b.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
      await expect.poll(async () => (await viewOf(b, a.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
      await expect.poll(async () => (await viewOf(a, b.ready.peerId))?.addresses, MESH_DEADLINE)
        .toEqual(expect.arrayContaining(b.ready.addresses))
      expect((await a.getJson<{ connections: number }>('/healthz')).connections).toBeGreaterThan(0)

      // a line typed on b's stdin is broadcast; a logs it as a chat entry
      const text = `hello from b ${b.ready.peerId}`
      await expect.poll(() => {
        b.writeLine(text)
        return a.logs().filter(entry => entry.event === 'chat' && entry.from === b.ready.peerId && entry.text === text).length
      }, MESH_DEADLINE).toBeGreaterThan(0)
      expect(b.logs().some(entry => entry.event === 'chat' && entry.self === true && entry.text === text)).toBe(true)
    })

    it('remember each other across a clean restart, without --bootstrap', async () => {
      const a = await start([...RELAY_FLAGS, '--data-dir', dirA])
      const b = await start([...RELAY_FLAGS, '--data-dir', dirB, '--bootstrap', a.ready.addresses[0] ?? ''])
      await expect.poll(async () => (await viewOf(b, a.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
      expect((await b.signal('SIGTERM')).code).toBe(0)

      const restarted = await start([...RELAY_FLAGS, '--data-dir', dirB])
      expect(restarted.ready.peerId).toBe(b.ready.peerId)
      expect((await viewOf(restarted, a.ready.peerId))?.addresses).toEqual(expect.arrayContaining([a.ready.addresses[0]]))
      await expect.poll(async () => (await viewOf(restarted, a.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
    })

    it('remember each other after kill -9', async () => {
      const a = await start([...RELAY_FLAGS, '--data-dir', dirA])
      const b = await start([...RELAY_FLAGS, '--data-dir', dirB, '--bootstrap', a.ready.addresses[0] ?? ''])
      await expect.poll(async () => (await viewOf(b, a.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
      expect((await b.signal('SIGKILL')).signal).toBe('SIGKILL')

      const restarted = await start([...RELAY_FLAGS, '--data-dir', dirB])
      expect(restarted.ready.peerId).toBe(b.ready.peerId)
      expect((await viewOf(restarted, a.ready.peerId))?.addresses).toEqual(expect.arrayContaining([a.ready.addresses[0]]))
      await expect.poll(async () => (await viewOf(restarted, a.ready.peerId))?.state, MESH_DEADLINE).toBe('connected')
    })
  })

  it('advertises a second relay to a peer that only knows the first', async () => {
    const a = await start([...RELAY_FLAGS, '--data-dir', await dataDir()])
    const b = await start([...RELAY_FLAGS, '--data-dir', await dataDir(), '--bootstrap', a.ready.addresses[0] ?? ''])
    await expect.poll(async () => (await viewOf(a, b.ready.peerId))?.addresses, MESH_DEADLINE)
      .toEqual(expect.arrayContaining(b.ready.addresses))

    const peer = await start(['--role', 'peer', ...TEST_FLAGS, '--data-dir', await dataDir(), '--bootstrap', a.ready.addresses[0] ?? ''])
    await expect.poll(async () => (await viewOf(peer, b.ready.peerId))?.addresses, MESH_DEADLINE)
      .toEqual(expect.arrayContaining(b.ready.addresses))
  })

  it('connects two --role peer nodes over WebRTC through a relay', async () => {
    const relay = await start([...RELAY_FLAGS, '--data-dir', await dataDir()])
    const bootstrap = relay.ready.addresses[0] ?? ''
    const p1 = await start(['--role', 'peer', ...TEST_FLAGS, '--data-dir', await dataDir(), '--bootstrap', bootstrap])
    const p2 = await start(['--role', 'peer', ...TEST_FLAGS, '--data-dir', await dataDir(), '--bootstrap', bootstrap])
    expect((await p1.getJson<{ role: string }>('/healthz')).role).toBe('peer')

    await expect.poll(async () => {
      const view = await viewOf(p2, p1.ready.peerId)
      return { state: view?.state, transport: view?.transport }
    }, MESH_DEADLINE).toEqual({ state: 'connected', transport: 'webrtc' })
    await expect.poll(async () => (await viewOf(p1, p2.ready.peerId))?.transport, MESH_DEADLINE).toBe('webrtc')

    // a line typed on one peer's stdin reaches the other as a chat log entry
    const text = `hello from p1 ${p1.ready.peerId}`
    await expect.poll(() => {
      p1.writeLine(text)
      return p2.logs().filter(entry => entry.event === 'chat' && entry.text === text && entry.from === p1.ready.peerId).length
    }, MESH_DEADLINE).toBeGreaterThan(0)
  })
})
