import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'

describe('one connection per pair', () => {
  let net: TestNetwork | undefined
  afterEach(async () => { await net?.stop() })

  it('simultaneous dials in both directions leave exactly one connection, the same on both sides', async () => {
    net = await createTestNetwork(2, { bootstrap: 'none' })
    await net.start()
    const [a, b] = [net.node(0), net.node(1)]
    const toB = multiaddr(`/memory/${net.slots[1]!.name}/p2p/${b.peerId}`)
    const toA = multiaddr(`/memory/${net.slots[0]!.name}/p2p/${a.peerId}`)
    // libp2p dials straight away, bypassing the dial loop: both ends race
    await Promise.allSettled([a.libp2p.dial(toB), b.libp2p.dial(toA)])
    await net.waitFor(() =>
      a.libp2p.getConnections(b.libp2p.peerId).length === 1 &&
      b.libp2p.getConnections(a.libp2p.peerId).length === 1 &&
      a.router.neighbours().length === 1 && b.router.neighbours().length === 1)
    const kept = a.libp2p.getConnections(b.libp2p.peerId)[0]!
    const keptOnB = b.libp2p.getConnections(a.libp2p.peerId)[0]!
    // the two ends hold the two halves of one connection
    expect(kept.direction).not.toBe(keptOnB.direction)
  })
})
