/**
 * WebRTC connections count only once ICE has selected a pair. Real nodes (node-datachannel is
 * real WebRTC): a relay and two members that may use relayed candidates only and have no TURN
 * server, so neither gathers any candidate and ICE between them can never complete (with one
 * side alone restricted, ICE still pairs through peer-reflexive candidates). Before patches/@libp2p+webrtc+6.0.33.patch the answering side handed such a peer
 * connection on, still checking, as an open `/webrtc` connection the moment the dialer gave up.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isEstablished, peerConnectionOf, preferredConnection, selectedCandidatePair, transportOf } from '../../src/router/connection-kind.js'
import { WebRtcFixture, webRtcAddressOf } from './webrtc-fixture.js'
import type { Connection } from '@libp2p/interface'

const SIGNALING_PROTOCOL = '/webrtc-signaling/0.0.1'
const IDENTIFY_PROTOCOL = '/ipfs/id/1.0.0'

describe('WebRTC connections and ICE', () => {
  const fixture = new WebRtcFixture()
  afterEach(async () => { await fixture.stopAll() })

  it('a WebRTC dial whose ICE cannot complete never opens on the answering side, and the relayed link keeps working', async () => {
    const relay = await fixture.startRelay()
    const answerer = await fixture.startMemberOn(relay, { iceTransportPolicy: 'relay' })
    const dialer = await fixture.startMemberOn(relay, { iceTransportPolicy: 'relay' })

    // the working relayed (limited) link between the two
    const circuit = multiaddr(webRtcAddressOf(answerer).toString().replace('/p2p-circuit/webrtc/', '/p2p-circuit/'))
    const relayed = await dialer.dial(circuit)
    expect(relayed.limits).toBeDefined()
    const answererRelayed = (): Connection | undefined => answerer.getConnections(dialer.peerId).find(c => c.limits != null)
    await vi.waitFor(() => { expect(answererRelayed()?.status).toBe('open') }, { timeout: 10_000, interval: 20 })

    const opened: Array<{ transport: string, established: boolean, state: string | undefined }> = []
    answerer.addEventListener('connection:open', (event) => {
      const connection = event.detail
      opened.push({ transport: transportOf(connection.remoteAddr), established: isEstablished(connection), state: peerConnectionOf(connection)?.connectionState })
    })

    // the dialer gives up after 3 s, with ICE still checking
    await expect(dialer.dial(webRtcAddressOf(answerer), { signal: AbortSignal.timeout(3_000) }).then(() => 'connected')).rejects.toThrow()

    // the answerer's signalling handler has finished once its signalling stream is gone (it waits
    // for ICE until it fails or its inbound upgrade times out); then one stream negotiated
    // through the relay, a round trip behind anything the answerer still had queued
    await vi.waitFor(() => {
      const streams = answererRelayed()?.streams ?? []
      expect(streams.filter(s => s.protocol === SIGNALING_PROTOCOL)).toEqual([])
    }, { timeout: 20_000, interval: 50 })
    const probe = await answererRelayed()!.newStream(IDENTIFY_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(5_000) })
    await probe.close()

    expect(opened.filter(o => o.transport === 'webrtc')).toEqual([])
    expect(answerer.getConnections(dialer.peerId).map(c => transportOf(c.remoteAddr))).toEqual(['circuit'])
    expect(answererRelayed()?.status).toBe('open')
  }, 60_000)

  it('a WebRTC connection that works is established, beats the relayed one, and reports its host candidates', async () => {
    const relay = await fixture.startRelay()
    const alice = await fixture.startMemberOn(relay)
    const bob = await fixture.startMemberOn(relay)
    const circuit = multiaddr(webRtcAddressOf(alice).toString().replace('/p2p-circuit/webrtc/', '/p2p-circuit/'))
    const relayed = await bob.dial(circuit)
    const direct = await bob.dial(webRtcAddressOf(alice))

    expect(isEstablished(relayed)).toBe(true)
    expect(isEstablished(direct)).toBe(true)
    expect(peerConnectionOf(relayed)).toBeUndefined()
    expect(peerConnectionOf(direct)?.connectionState).toBe('connected')
    expect(preferredConnection(relayed, direct, bob.peerId.toString())).toBe(direct)
    expect(preferredConnection(direct, relayed, bob.peerId.toString())).toBe(direct)
    // one machine, no STUN: ICE paired the machine's own interface addresses
    expect(await selectedCandidatePair(direct)).toMatchObject({ local: 'host', remote: 'host' })
    expect(await selectedCandidatePair(relayed)).toBeUndefined()
  }, 60_000)
})
