import { lpStream } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { SESSION_PROTOCOL } from '../../src/session/mesh-sessions.js'
import { createTestNetwork, type TestNetwork, type TestNode } from '../../src/testing/index.js'

type WithSessions = TestNode & { sessions: { stats: { goodbyesReceived: number, invalid: number, received: number } } }

describe('the session protocol between neighbours', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('a node that stops says goodbye and its neighbour drops it at once', async () => {
    net = await createTestNetwork(2)
    await net.start()
    const [a, b] = [net.node(0) as WithSessions, net.node(1)]
    await net.waitFor(() => a.router.neighbours().some(l => l.ready))
    // wait until b's session is up (a has received b's hello)
    await expect.poll(() => a.sessions.stats.received).toBeGreaterThanOrEqual(1)
    await b.stop()
    await net.waitFor(() => a.router.neighbours().length === 0)
    expect(a.sessions.stats.goodbyesReceived).toBe(1)
  })

  it('a peer sending an oversized session message is penalised, and the node keeps running', async () => {
    net = await createTestNetwork(2)
    await net.start()
    const [a, b] = [net.node(0) as WithSessions, net.node(1)]
    await net.waitFor(() => a.router.neighbours().some(l => l.ready))
    const connection = b.libp2p.getConnections(a.libp2p.peerId)[0]!
    const stream = await connection.newStream(SESSION_PROTOCOL)
    await lpStream(stream).write(new Uint8Array(64 * 1024))
    await expect.poll(() => a.sessions.stats.invalid).toBe(1)
    await expect.poll(() => a.peerManager.peer(b.peerId)?.misbehaviour ?? 0).toBeGreaterThan(0)
    expect(a.libp2p.status).toBe('started')
  })
})
