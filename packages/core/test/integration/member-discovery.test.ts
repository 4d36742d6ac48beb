/**
 * Members that know only a relay find each other through it and connect directly: the relay
 * learns each member's relayed WebRTC address (from identify, once the reservation exists) and
 * peer exchange hands it to the others. Real nodes: a Node relay on ws://127.0.0.1:0 and
 * `role: 'node'` members with WebRTC. Every wait is on a state (vi.waitFor), never a sleep.
 */
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPeerMeshNode, type PeerMeshNodeInit } from '../../src/node/create-node.js'

type MeshNode = Awaited<ReturnType<typeof createPeerMeshNode>>

const nodes: MeshNode[] = []

async function start (init: PeerMeshNodeInit): Promise<MeshNode> {
  const node = await createPeerMeshNode({ iceServers: [], ...init })
  nodes.push(node)
  await node.start()
  return node
}

function connectedOver (node: MeshNode, peerId: string): string | undefined {
  return node.peers().find(p => p.peerId === peerId && p.state === 'connected')?.transport
}

describe('member discovery through a relay', () => {
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => { await node.stop() }))
  })

  it('two members bootstrapped only to a relay connect to each other directly over WebRTC', async () => {
    const relay = await start({ role: 'relay', listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    const ws = relay.libp2p.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))
    if (ws == null) throw new Error('the relay has no ws address')
    const a = await start({ role: 'node', bootstrap: [ws.toString()] })
    const b = await start({ role: 'node', bootstrap: [ws.toString()] })

    await vi.waitFor(() => {
      expect(connectedOver(a, b.peerId)).toBe('webrtc')
      expect(connectedOver(b, a.peerId)).toBe('webrtc')
    }, { timeout: 30_000, interval: 50 })
  })

  it('the relay knows the relayed WebRTC address of each member', async () => {
    const relay = await start({ role: 'relay', listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    const ws = relay.libp2p.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))
    if (ws == null) throw new Error('the relay has no ws address')
    const member = await start({ role: 'node', bootstrap: [ws.toString()] })

    await vi.waitFor(() => {
      const own = member.addresses().filter(a => a.startsWith('webrtc+'))
      expect(own.length).toBeGreaterThan(0)
      const known = relay.peers().find(p => p.peerId === member.peerId)?.addresses ?? []
      expect(known).toEqual(expect.arrayContaining(own))
    }, { timeout: 15_000, interval: 50 })
  })
})
