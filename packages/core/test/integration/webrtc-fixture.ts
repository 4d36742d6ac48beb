/**
 * Real libp2p nodes for the WebRTC integration tests: one Node relay on ws://127.0.0.1:0 and
 * `role: 'node'` members that reserve a slot on it and advertise `/p2p-circuit/webrtc`.
 * Every wait is on a state (vi.waitFor), never a sleep.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { WebRTC, WebSockets } from '@multiformats/multiaddr-matcher'
import { vi } from 'vitest'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'
import type { Libp2pNodeInit, Libp2pNodeServices } from '../../src/libp2p/init.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type TestNode = Libp2p<Libp2pNodeServices>

export class WebRtcFixture {
  private readonly nodes: TestNode[] = []

  async startRelay (): Promise<TestNode> {
    return await this.start({ role: 'relay' })
  }

  /** A `role: 'node'` member, reserved on `relay` and advertising its `/p2p-circuit/webrtc` address. */
  async startMemberOn (relay: TestNode, init: Partial<Libp2pNodeInit> = {}): Promise<TestNode> {
    const member = await this.start({ role: 'node', ...init })
    await member.dial(relayWebSocketAddress(relay))
    await vi.waitFor(() => { webRtcAddressOf(member) }, { timeout: 10_000, interval: 20 })
    return member
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async (node) => { await node.stop() }))
  }

  private async start (init: Partial<Libp2pNodeInit>): Promise<TestNode> {
    const node = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      iceServers: [],
      ...init,
      start: true
    })
    this.nodes.push(node)
    return node
  }
}

export function relayWebSocketAddress (relay: TestNode): Multiaddr {
  const address = relay.getMultiaddrs().find((ma) => WebSockets.exactMatch(ma))
  if (address == null) throw new Error('the relay has no ws address')
  return address
}

/** The member's `<relay>/p2p-circuit/webrtc/p2p/<member>` address; throws until it exists. */
export function webRtcAddressOf (member: TestNode): Multiaddr {
  const address = member.getMultiaddrs().find((ma) => WebRTC.exactMatch(ma))
  if (address == null) throw new Error(`${member.peerId.toString()} has no /p2p-circuit/webrtc address yet`)
  return address
}
