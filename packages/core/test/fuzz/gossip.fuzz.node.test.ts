/**
 * Fuzz: topology and broadcast messages as gossipsub hands them to a real node. The node's own
 * topic validators (the ones gossipsub calls before forwarding anything) get hostile payloads and
 * must answer Accept or Reject without throwing; messages from thousands of publishers, delivered
 * to the node's message handlers, never make it keep more than `maxNodes` announcements.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { GossipSub, Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BroadcastText } from '../../src/broadcast/broadcast.pb.js'
import { BROADCAST_TOPIC } from '../../src/broadcast/broadcast-channel.js'
import { defaultMeshTopologyOptions, TOPOLOGY_TOPIC } from '../../src/topology/mesh-topology.js'
import { NeighbourList } from '../../src/topology/topology.pb.js'
import { createTestNetwork, type TestNetwork, type TestNode } from '../../src/testing/index.js'
import { fuzzParameters, fuzzTimeout, heapAfterGc, MAX_HEAP_GROWTH_BYTES, mutatedBytes } from './fuzz-support.js'

type Validator = (peer: PeerId, message: Message) => Promise<string> | string

let net: TestNetwork
let node: TestNode
let pubsub: GossipSub
let publishers: PeerId[]
let validators: { topology: Validator, broadcast: Validator }

beforeAll(async () => {
  net = await createTestNetwork(0)
  node = await net.addNode()
  await net.start()
  pubsub = (node.libp2p.services as { pubsub: GossipSub }).pubsub
  const topology = pubsub.topicValidators.get(TOPOLOGY_TOPIC) as Validator | undefined
  const broadcast = pubsub.topicValidators.get(BROADCAST_TOPIC) as Validator | undefined
  if (topology == null || broadcast == null) throw new Error('the node registered no topic validators')
  validators = { topology, broadcast }
  // more publishers than the topology keeps
  const count = defaultMeshTopologyOptions.maxNodes + 200
  publishers = await Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}, 120_000)

afterAll(async () => { await net?.stop() })

let sequence = 0n
function signedMessage (topic: string, data: Uint8Array, from: PeerId): Message {
  return { type: 'signed', topic, data, from, sequenceNumber: ++sequence, signature: new Uint8Array(64), key: from.publicKey! } as unknown as Message
}

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 9000 }))
const validList = fc.record({
  seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  role: fc.constantFrom('relay', 'node', 'browser', 'x'),
  neighbours: fc.array(fc.record({
    peerId: fc.constantFrom('12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC', 'x'),
    transport: fc.constantFrom('webrtc', 'websocket', 'circuit', 'memory', 'carrier-pigeon'),
    outbound: fc.boolean(),
    rttMs: fc.nat({ max: 2 ** 32 - 1 })
  }), { maxLength: 70 })
}).map(list => NeighbourList.encode(list))
const validText = fc.record({ text: fc.string({ maxLength: 600 }), sentAt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }).map(m => BroadcastText.encode(m))

describe('fuzz › gossip messages on a real node', () => {
  it('the topology validator answers accept or reject for any payload, never throws', async () => {
    const before = heapAfterGc()
    const verdicts = new Set<string>()
    await fc.assert(fc.asyncProperty(fc.oneof(anyBytes, validList, mutatedBytes(validList)), fc.nat(), async (data, who) => {
      const from = publishers[who % publishers.length]!
      verdicts.add(await validators.topology(from, signedMessage(TOPOLOGY_TOPIC, data, from)))
    }), fuzzParameters())
    expect([...verdicts].sort()).toEqual(['accept', 'reject'])
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(10_000))

  it('the broadcast validator answers accept or reject for any payload, never throws', async () => {
    const verdicts = new Set<string>()
    await fc.assert(fc.asyncProperty(fc.oneof(anyBytes, validText, mutatedBytes(validText)), async data => {
      const from = publishers[0]!
      verdicts.add(await validators.broadcast(from, signedMessage(BROADCAST_TOPIC, data, from)))
    }), fuzzParameters())
    expect([...verdicts].sort()).toEqual(['accept', 'reject'])
  }, fuzzTimeout(10_000))

  it('topology announcements from more publishers than maxNodes keep the view at maxNodes', async () => {
    const maxNodes = defaultMeshTopologyOptions.maxNodes
    const goodList = fc.record({
      seq: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
      role: fc.constantFrom('relay', 'node', 'browser'),
      neighbours: fc.array(fc.record({
        peerId: fc.constantFrom(...publishers.slice(0, 50).map(p => p.toString())),
        transport: fc.constantFrom('webrtc', 'websocket', 'circuit', 'memory'),
        outbound: fc.boolean(),
        rttMs: fc.nat({ max: 10_000 })
      }), { maxLength: 8 })
    }).map(list => NeighbourList.encode(list))
    let accepted = 0
    let largest = 0
    let next = 0
    await fc.assert(fc.asyncProperty(goodList, async data => {
      const from = publishers[next++ % publishers.length]! // every publisher in turn, then again
      const message = signedMessage(TOPOLOGY_TOPIC, data, from)
      if (await validators.topology(from, message) !== 'accept') return
      accepted++
      pubsub.dispatchEvent(new CustomEvent('message', { detail: message }))
      if (accepted % 25 !== 0) return // the graph is computed whole: look at it every 25th message
      const graph = node.topology()
      // announcements kept (each publisher's node carries the role it announced) + this node itself
      const announced = graph.nodes.filter(n => n.role != null).length
      expect(announced).toBeLessThanOrEqual(maxNodes + 1)
      largest = Math.max(largest, announced)
      expect(graph.edges.length).toBeLessThanOrEqual(maxNodes * defaultMeshTopologyOptions.maxNeighbours + 64)
    }), { ...fuzzParameters(), numRuns: Math.max(Math.min(fuzzParameters().numRuns ?? 0, 20_000), publishers.length + 100) })
    // the premise: more distinct publishers got through than the view holds
    expect(accepted).toBeGreaterThan(maxNodes + 100)
    expect(largest).toBe(maxNodes + 1)
  }, fuzzTimeout(20_000))

  it('broadcast texts of any content reach the node\'s listeners as strings, the oversized ones never', async () => {
    let delivered = 0
    const onMessage = (): void => { delivered++ }
    node.addEventListener('broadcast:message', onMessage)
    try {
      await fc.assert(fc.asyncProperty(fc.oneof(validText, mutatedBytes(validText)), fc.nat(), async (data, who) => {
        const from = publishers[who % publishers.length]!
        const message = signedMessage(BROADCAST_TOPIC, data, from)
        const verdict = await validators.broadcast(from, message)
        if (verdict === 'accept') pubsub.dispatchEvent(new CustomEvent('message', { detail: message }))
      }), fuzzParameters())
    } finally {
      node.removeEventListener('broadcast:message', onMessage)
    }
    expect(delivered).toBeGreaterThan(0)
  }, fuzzTimeout(10_000))
})
