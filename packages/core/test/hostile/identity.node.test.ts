/**
 * A peer cannot pass for another: the identity in an address is proven by the Noise handshake of
 * the connection. Over real WebSockets, dialing B's address under C's peer ID fails in the Noise
 * handshake (EncryptionFailedError) and leaves no connection behind.
 *
 * (libp2p's memory transport, used by the in-process test network, reports the listener's own
 * peer ID as the remote address and so connects to B under C's name: this check needs a real
 * transport.)
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'

describe('hostile › identity', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

  async function node (listen: string[]): Promise<Libp2p> {
    const n = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), iceServers: [], listen, start: true })
    nodes.push(n)
    return n
  }

  it('a dial to one peer\'s WebSocket address under another peer\'s ID fails the handshake and leaves no connection', async () => {
    const a = await node([])
    const b = await node(['/ip4/127.0.0.1/tcp/0/ws'])
    const c = await node(['/ip4/127.0.0.1/tcp/0/ws'])
    const bAddress = b.getMultiaddrs().find(ma => ma.toString().includes('/ws'))
    expect(bAddress).toBeDefined()
    const transport = bAddress!.toString().replace(/\/p2p\/[^/]+$/, '')
    const forged = multiaddr(`${transport}/p2p/${c.peerId.toString()}`)

    const failure = await a.dial(forged).then(() => undefined, (err: unknown) => err)
    expect(failure).toBeInstanceOf(Error)
    // the Noise handshake refused it: the key B proved is not C's
    expect((failure as Error).name).toBe('EncryptionFailedError')
    expect(a.getConnections()).toEqual([])
    // the honest address of B works: what failed was the identity, not the transport
    const honest = await a.dial(multiaddr(`${transport}/p2p/${b.peerId.toString()}`))
    expect(honest.remotePeer.toString()).toBe(b.peerId.toString())
  })
})
