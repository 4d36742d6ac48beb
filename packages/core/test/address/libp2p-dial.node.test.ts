/**
 * The multiaddrs NodeAddress writes are the ones libp2p dials: real libp2p nodes, dialed by
 * nothing but a parsed URL, over the memory transport and through a circuit relay on 127.0.0.1.
 */
import '../../src/shims/node.js'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nodeAddressFromMultiaddr, parseNodeAddress } from '../../src/address/index.js'

describe('NodeAddress dialed by libp2p', () => {
  const started: Libp2p[] = []

  afterEach(async () => {
    await Promise.all(started.splice(0).map(async node => { await node.stop() }))
  })

  async function start (node: Promise<Libp2p>): Promise<Libp2p> {
    const started_ = await node
    started.push(started_)
    return started_
  }

  it('reaches a peer at a memory:// address', async () => {
    const name = `address-test-${Math.random().toString(36).slice(2)}`
    const listener = await start(createLibp2p({
      addresses: { listen: [`/memory/${name}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()]
    }))
    const dialer = await start(createLibp2p({ transports: [memory()], connectionEncrypters: [noise()], streamMuxers: [yamux()] }))

    const address = parseNodeAddress(`memory://${listener.peerId.toString()}@${name}`)
    const connection = await dialer.dial(address.toMultiaddr())

    expect(connection.remotePeer.equals(listener.peerId)).toBe(true)
    expect(nodeAddressFromMultiaddr(listener.getMultiaddrs()[0] ?? '').equals(address)).toBe(true)
  })

  it('reaches a peer through a relay at a circuit+ws:// address', async () => {
    const relay = await start(createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), relay: circuitRelayServer() }
    }))
    const relayWs = relay.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))
    if (relayWs === undefined) throw new Error('the relay has no WebSocket address')
    const relayAddress = nodeAddressFromMultiaddr(relayWs)
    expect(relayAddress.toString()).toMatch(/^ws:\/\/12D3KooW\w+@127\.0\.0\.1:\d+$/)

    const client = (): Promise<Libp2p> => createLibp2p({
      addresses: { listen: ['/p2p-circuit'] },
      transports: [webSockets(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    })
    const target = await start(client())
    await target.dial(relayAddress.toMultiaddr())
    await vi.waitFor(() => {
      expect(target.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))).toBe(true)
    }, { timeout: 10_000 })

    const relayed = parseNodeAddress(`circuit+ws://${target.peerId.toString()}@127.0.0.1:${relayAddress.port}/via/${relay.peerId.toString()}`)
    const advertised = target.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit'))
    expect(nodeAddressFromMultiaddr(advertised ?? '').equals(relayed)).toBe(true)

    const dialer = await start(client())
    const connection = await dialer.dial(relayed.toMultiaddr())
    expect(connection.remotePeer.equals(target.peerId)).toBe(true)
    expect(connection.limits).toBeDefined()
  })
})
