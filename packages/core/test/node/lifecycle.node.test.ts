import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NodeStoppedError, createPeerMeshNode, createPersistentPeerStore } from '../../src/index.js'
import { PeerManagerClosedError } from '../../src/peer-manager/index.js'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('PeerMeshNode › lifecycle', () => {
  let dir: string
  let net: TestNetwork | undefined
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peermesh-lifecycle-')) })
  afterEach(async () => {
    await net?.stop()
    net = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses to start again after stop() with NodeStoppedError, and stays down', async () => {
    net = await createTestNetwork(2)
    await net.start()
    await net.waitFor(() => net!.node(0).router.neighbours().length === 1)
    const node = net.node(1)
    await node.stop()
    expect(node.libp2p.status).toBe('stopped')

    const restart = node.start()
    await expect(restart).rejects.toBeInstanceOf(NodeStoppedError)
    await expect(restart).rejects.toMatchObject({ name: 'NodeStoppedError' })
    // nothing came up halfway: libp2p stays stopped, the peer manager stays closed
    expect(node.libp2p.status).toBe('stopped')
    expect(node.libp2p.getConnections()).toEqual([])
    await expect(node.peerManager.dialNext(AbortSignal.timeout(5_000))).rejects.toBeInstanceOf(PeerManagerClosedError)
    await expect(node.start()).rejects.toBeInstanceOf(NodeStoppedError)
  })

  it('comes back as the same peer when created anew with the same key and store (what the error says to do)', async () => {
    net = await createTestNetwork(1)
    await net.start()
    const privateKey = await generateKeyPair('Ed25519')
    const location = join(dir, 'peers')
    const first = await createPeerMeshNode({ memory: true, privateKey, listen: [], bootstrap: [net.address(0)], peerStore: await createPersistentPeerStore({ location }) })
    await first.start()
    await net.waitFor(() => net!.node(0).router.neighbours().length === 1)
    await first.stop()
    await net.waitFor(() => net!.node(0).router.neighbours().length === 0)

    // the store was closed by stop(), so it opens again; the new node knows its bootstrap peer from it
    const second = await createPeerMeshNode({ memory: true, privateKey, listen: [], peerStore: await createPersistentPeerStore({ location }) })
    try {
      expect(second.peerId).toBe(first.peerId)
      expect(second.peers().map(p => p.peerId)).toContain(net.node(0).peerId)
      await second.start()
      await net.waitFor(() => net!.node(0).router.neighbours().some(n => n.peerId === second.peerId))
    } finally {
      await second.stop()
    }
  })

  it('stop() on a node that never started closes its store, and start() then refuses', async () => {
    const location = join(dir, 'never-started')
    const node = await createPeerMeshNode({ memory: true, listen: [], peerStore: await createPersistentPeerStore({ location }) })
    await node.stop()
    // LevelDB holds a lock while open: opening the same location again proves the store was closed
    const reopened = await createPersistentPeerStore({ location })
    await reopened.close()
    await expect(node.start()).rejects.toBeInstanceOf(NodeStoppedError)
  })

  it('shares one stop among concurrent stop() calls, and a later one does nothing', async () => {
    const location = join(dir, 'concurrent')
    const node = await createPeerMeshNode({ memory: true, listen: ['/memory/peermesh-lifecycle-concurrent'], peerStore: await createPersistentPeerStore({ location }) })
    await node.start()
    const stops = [node.stop(), node.stop()]
    // the second call must not return before the first has closed the store
    await stops[1]
    const reopened = await createPersistentPeerStore({ location })
    await reopened.close()
    await Promise.all(stops)
    await expect(node.stop()).resolves.toBeUndefined()
  })

  it('stop() removes the listeners assembly put on libp2p (identify → peer manager, reservation release)', async () => {
    net = await createTestNetwork(1, { role: 'relay' })
    await net.start()
    const node = net.node(0)
    const before = { identify: node.libp2p.listenerCount('peer:identify'), close: node.libp2p.listenerCount('connection:close') }
    await node.stop()
    expect({ identify: node.libp2p.listenerCount('peer:identify'), close: node.libp2p.listenerCount('connection:close') })
      .toEqual({ identify: 0, close: 0 })
    expect(before.identify).toBeGreaterThan(0)
  })

  describe('AbortOptions on every async method', () => {
    it('start() with an aborted signal rejects with its reason and leaves the node stopped for good', async () => {
      net = await createTestNetwork(1)
      const node = net.node(0)
      const reason = new Error('changed my mind')
      await expect(node.start({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      expect(node.libp2p.status).toBe('stopped')
      await expect(node.start()).rejects.toBeInstanceOf(NodeStoppedError)
    })

    it('stop() rejects once its signal aborts, and the stop still completes', async () => {
      net = await createTestNetwork(2)
      await net.start()
      await net.waitFor(() => net!.node(0).router.neighbours().length === 1)
      const node = net.node(1)
      const reason = new Error('no time to wait')
      await expect(node.stop({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      await node.stop()
      expect(node.libp2p.status).toBe('stopped')
      await net.waitFor(() => net!.node(0).router.neighbours().length === 0)
    })

    it('broadcast() with an aborted signal sends nothing; flush() rejects with the reason and the writes still land', async () => {
      net = await createTestNetwork(2)
      await net.start()
      const [a, b] = [net.node(0), net.node(1)]
      await net.waitFor(() => a.router.neighbours().some(l => l.ready) && b.router.neighbours().some(l => l.ready))
      const received: string[] = []
      b.addEventListener('broadcast:message', (event) => { received.push(event.detail.text) })
      const reason = new Error('cancelled')
      await expect(a.broadcast('never sent', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      // a message sent after it arrives, and the aborted one never did
      await expect.poll(async () => {
        await a.broadcast('sent')
        return received.includes('sent')
      }, { timeout: 15_000 }).toBe(true)
      expect(received).not.toContain('never sent')
      await expect(a.flush({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      await expect(a.flush({ signal: AbortSignal.timeout(10_000) })).resolves.toBeUndefined()
    })
  })
})
