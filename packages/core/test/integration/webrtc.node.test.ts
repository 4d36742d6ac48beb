import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebRtcFixture, webRtcAddressOf } from './webrtc-fixture.js'
import type { Message } from '@libp2p/gossipsub'

describe('Node members through a Node relay', () => {
  const fixture = new WebRtcFixture()
  afterEach(async () => { await fixture.stopAll() })

  it('reserve on the relay and learn /p2p-circuit/webrtc addresses', async () => {
    const relay = await fixture.startRelay()
    const member = await fixture.startMemberOn(relay)
    const address = webRtcAddressOf(member).toString()
    expect(address).toContain(`/p2p/${relay.peerId.toString()}/p2p-circuit/webrtc/p2p/${member.peerId.toString()}`)
    expect(relay.services.relay?.reservations.has(member.peerId)).toBe(true)
  })

  it('connect directly over WebRTC, unlimited, and gossipsub delivers between them', async () => {
    const relay = await fixture.startRelay()
    const alice = await fixture.startMemberOn(relay)
    const bob = await fixture.startMemberOn(relay)

    const connection = await bob.dial(webRtcAddressOf(alice))
    expect(connection.remotePeer.equals(alice.peerId)).toBe(true)
    expect(connection.remoteAddr.toString()).toContain('/webrtc')
    expect(connection.limits).toBeUndefined()
    expect(await bob.services.ping.ping(alice.peerId)).toBeGreaterThanOrEqual(0)

    const topic = 'peermesh/test/webrtc'
    alice.services.pubsub.subscribe(topic)
    bob.services.pubsub.subscribe(topic)
    // The relay does not subscribe: the message can only travel over the WebRTC connection.
    // Each side learns the other's subscription over the other's outbound gossipsub stream, so
    // once both know, alice has a stream to publish on.
    await vi.waitFor(() => {
      expect(alice.services.pubsub.getSubscribers(topic).map(String)).toContain(bob.peerId.toString())
      expect(bob.services.pubsub.getSubscribers(topic).map(String)).toContain(alice.peerId.toString())
    }, { timeout: 10_000, interval: 20 })

    const received: Message[] = []
    bob.services.pubsub.addEventListener('message', (event) => {
      if (event.detail.topic === topic) received.push(event.detail)
    })
    await alice.services.pubsub.publish(topic, new TextEncoder().encode('hello over webrtc'))
    await vi.waitFor(() => { expect(received).toHaveLength(1) }, { timeout: 10_000, interval: 20 })
    const message = received[0]!
    expect(new TextDecoder().decode(message.data)).toBe('hello over webrtc')
    expect(message.type === 'signed' && message.from.equals(alice.peerId)).toBe(true)

    // The relayed connection that carried the signalling may linger, but only as a limited one:
    // everything unlimited between the members is the direct WebRTC connection.
    const unlimited = bob.getConnections(alice.peerId).filter((link) => link.limits == null)
    expect(unlimited.map((link) => link.remoteAddr.toString().includes('/webrtc'))).toEqual([true])
  })
})
