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

  it('a neighbour that ends our session stream while the connection stays open is dropped at once', async () => {
    // What a WebRTC peer shows when it hangs up without a goodbye (a full peer ending a newcomer's
    // grace, a tab that closed): its data channels close at once, the connection itself only
    // after ICE gives up tens of seconds later. Here b resets the stream a writes its session on.
    net = await createTestNetwork(2)
    await net.start()
    const [a, b] = [net.node(0) as WithSessions, net.node(1) as WithSessions]
    await net.waitFor(() => a.router.neighbours().some(l => l.ready) && b.router.neighbours().some(l => l.ready))
    await expect.poll(() => b.sessions.stats.received).toBeGreaterThanOrEqual(1)
    const gone: string[] = []
    a.router.listen({ onGone: (peerId) => { gone.push(peerId) } })
    // b plays a peer whose end is gone: it neither says goodbye nor closes the connection itself
    // (left alone, b's own reader ending would make b drop a, and a would see the connection close)
    ;(b as unknown as { sessions: { c: { events: { onSessionEnded?: unknown } } } }).sessions.c.events.onSessionEnded = undefined
    const connection = b.libp2p.getConnections(a.libp2p.peerId)[0]!
    const inbound = connection.streams.find(s => s.protocol === SESSION_PROTOCOL && s.direction === 'inbound')
    expect(inbound, 'b reads a session stream from a').toBeDefined()
    inbound!.abort(new Error('hung up'))
    await expect.poll(() => gone).toContain(b.peerId)
    expect(a.sessions.stats.goodbyesReceived).toBe(0)
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
