/**
 * Browser peers first reach each other through a circuit relay, on limited connections: the peer
 * exchange must work there. Real relay on 127.0.0.1 (WebSockets), real relayed connection.
 */
import './fixtures.js'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nodeAddressFromMultiaddr } from '../../src/address/index.js'
import { peerExchange, type PeerExchange } from '../../src/pex/index.js'
import { createFakeClock } from '../../src/testing/fake-clock.js'
import { addressesOfNewPeers, MemoryExchangeBook, RecordingReporter } from './fixtures.js'

describe('peer exchange over a relayed (limited) connection', () => {
  const started: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async node => { await node.stop() }))
  })

  async function member (book: MemoryExchangeBook): Promise<Libp2p<{ pex: PeerExchange }>> {
    const node = await createLibp2p({
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: {
        identify: identify(),
        pex: peerExchange({ book, reporter: new RecordingReporter(), clock: createFakeClock(1_000_000) })
      }
    })
    started.push(node)
    return node
  }

  it('answers a request that arrives through the relay, relayed addresses included', async () => {
    const relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify(), relay: circuitRelayServer() }
    })
    started.push(relay)
    const relayWs = relay.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))
    if (relayWs === undefined) throw new Error('the relay has no WebSocket address')

    const known = await addressesOfNewPeers(4)
    const responderBook = new MemoryExchangeBook({ known })
    const responder = await member(responderBook)
    await responder.dial(relayWs)
    await vi.waitFor(() => {
      expect(responder.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))).toBe(true)
    }, { timeout: 10_000 })
    const relayed = nodeAddressFromMultiaddr(responder.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit')) ?? '')
    responderBook.setOwn([relayed])

    const requesterBook = new MemoryExchangeBook()
    const requester = await member(requesterBook)
    const connection = await requester.dial(relayed.toMultiaddr())
    expect(connection.limits).toBeDefined()

    const result = await requester.services.pex.request(responder.peerId)

    expect(result).toEqual({ added: 5, rejected: 0, invalid: 0 })
    expect(requesterBook.urls()).toEqual([relayed.toString(), ...known.map(a => a.toString())])
    expect(relayed.toString()).toMatch(/^circuit\+ws:\/\/.+\/via\//)
  })
})
