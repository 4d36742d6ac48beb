/**
 * Relay reservations between real nodes in one process: Node relays on ws://127.0.0.1 (port 0,
 * or the port a restarted relay bound before) and `role: 'node'` members with WebRTC
 * (node-datachannel). Every wait is on a state (vi.waitFor), never a sleep.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { CODE_P2P, multiaddr } from '@multiformats/multiaddr'
import { WebRTC, WebSockets } from '@multiformats/multiaddr-matcher'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Libp2pNodeServices } from '../../src/libp2p/init.js'
import { createPeerMeshNode, type PeerMeshNodeInit } from '../../src/node/create-node.js'
import { createFakeClock } from '../../src/testing/index.js'

type MeshNode = Awaited<ReturnType<typeof createPeerMeshNode>>

/** A relay restart takes the router's redial (backoff ≈1–2 s) plus one reservation round trip. */
const RESERVATION_WAIT = { timeout: 10_000, interval: 20 }

interface RelayHandle {
  node: MeshNode
  privateKey: PrivateKey
  /** Its ws multiaddr with the concrete port it bound, without /p2p. */
  listen: string
  /** Its ws multiaddr with /p2p, as members bootstrap from it. */
  address: string
}

class RelayReservationFixture {
  private readonly nodes = new Set<MeshNode>()

  async startRelay (reuse?: RelayHandle, init: Partial<PeerMeshNodeInit> = {}): Promise<RelayHandle> {
    const privateKey = reuse?.privateKey ?? await generateKeyPair('Ed25519')
    const node = await this.start({ role: 'relay', privateKey, listen: [reuse?.listen ?? '/ip4/127.0.0.1/tcp/0/ws'], ...init })
    const ws = node.libp2p.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))
    if (ws == null) throw new Error('the relay has no ws address')
    return { node, privateKey, listen: ws.decapsulateCode(CODE_P2P).toString(), address: ws.toString() }
  }

  async startMember (relays: RelayHandle[], init: Partial<PeerMeshNodeInit> = {}): Promise<MeshNode> {
    return await this.start({ role: 'node', bootstrap: relays.map(r => r.address), ...init })
  }

  async stop (node: MeshNode): Promise<void> {
    this.nodes.delete(node)
    await node.stop()
  }

  async stopAll (): Promise<void> {
    await Promise.all([...this.nodes].map(async node => { await this.stop(node) }))
  }

  private async start (init: PeerMeshNodeInit): Promise<MeshNode> {
    const node = await createPeerMeshNode({ iceServers: [], ...init })
    this.nodes.add(node)
    await node.start()
    return node
  }
}

/** The relays named by the member's relayed WebRTC addresses (`…/via/<relay>`), sorted. */
/** The libp2p services every node carries (`PeerMeshNode.libp2p` is typed without them). */
function services (node: MeshNode): Libp2pNodeServices {
  return (node.libp2p as Libp2p<Libp2pNodeServices>).services
}

/** Whether `relay` holds a reservation for `member` (the relay server's own table). */
function relayHoldsReservationFor (relay: MeshNode, member: MeshNode): boolean {
  return services(relay).relay?.reservations.has(member.libp2p.peerId) === true
}

function relaysInAddresses (member: MeshNode): string[] {
  return member.addresses()
    .filter(address => address.startsWith('webrtc+'))
    .map(address => address.slice(address.indexOf('/via/') + '/via/'.length))
    .sort()
}

function relayedWebRtcMultiaddr (member: MeshNode, relay: MeshNode): string {
  const address = member.libp2p.getMultiaddrs().find(ma => WebRTC.exactMatch(ma) && ma.toString().includes(`/p2p/${relay.peerId}/p2p-circuit`))
  if (address == null) throw new Error(`${member.peerId} has no WebRTC address through ${relay.peerId}`)
  return address.toString()
}

async function waitForRelays (member: MeshNode, relays: MeshNode[]): Promise<void> {
  const expected = relays.map(r => r.peerId).sort()
  await vi.waitFor(() => { expect(relaysInAddresses(member)).toEqual(expected) }, RESERVATION_WAIT)
}

describe('relay reservations', () => {
  const fixture = new RelayReservationFixture()
  afterEach(async () => { await fixture.stopAll() })

  /** Two relays and a member with targetRelays 1, once it sees both and holds one reservation. */
  async function memberOnOneOfTwoRelays (): Promise<{ relays: RelayHandle[], member: MeshNode }> {
    const relays = [await fixture.startRelay(), await fixture.startRelay()]
    const member = await fixture.startMember(relays, { relayReservations: { targetRelays: 1 } })
    await vi.waitFor(() => {
      expect(member.relayReservations.stats().candidates).toBe(2)
      expect(relaysInAddresses(member)).toHaveLength(1)
    }, RESERVATION_WAIT)
    return { relays, member }
  }

  it('a member reserves on its bootstrap relay at start and announces one relayed WebRTC address', async () => {
    const relay = await fixture.startRelay()
    const member = await fixture.startMember([relay])
    const announced = new Promise<string[]>((resolve) => {
      member.addEventListener('addresses:change', (event) => { if (event.detail.some(a => a.includes('/via/'))) resolve(event.detail) })
    })
    await waitForRelays(member, [relay.node])

    const port = /tcp\/(\d+)/.exec(relay.listen)?.[1]
    expect(member.addresses()).toEqual([`webrtc+ws://${member.peerId}@127.0.0.1:${port}/via/${relay.node.peerId}`])
    expect(await announced).toEqual(member.addresses())
    expect(relayHoldsReservationFor(relay.node, member)).toBe(true)
    expect(member.relayReservations.reservations().map(r => r.relay)).toEqual([relay.node.peerId])
    expect(member.relayReservations.stats()).toMatchObject({ reservations: 1, attempts: 1, failures: 0 })
  })

  it('a member reserves on two relays by default, one relayed address each', async () => {
    const first = await fixture.startRelay()
    const second = await fixture.startRelay()
    const member = await fixture.startMember([first, second])
    await waitForRelays(member, [first.node, second.node])

    expect(member.relayReservations.stats()).toMatchObject({ reservations: 2, candidates: 2 })
    expect(relayHoldsReservationFor(first.node, member)).toBe(true)
    expect(relayHoldsReservationFor(second.node, member)).toBe(true)
  })

  it('a member keeps only targetRelays reservations when more relays are connected', async () => {
    const { member } = await memberOnOneOfTwoRelays()
    expect(member.relayReservations.stats().reservations).toBe(1)
  })

  it('a member given a /p2p-circuit listen address still ends up with one reservation per relay', async () => {
    const first = await fixture.startRelay()
    const second = await fixture.startRelay()
    // libp2p's relay discovery reserves on one relay for '/p2p-circuit'; our slots take the rest
    const member = await fixture.startMember([first, second], { listen: ['/p2p-circuit', '/webrtc'] })
    await waitForRelays(member, [first.node, second.node])
    expect(relayHoldsReservationFor(first.node, member)).toBe(true)
    expect(relayHoldsReservationFor(second.node, member)).toBe(true)
  })

  it('a member reserves again within seconds when its relay restarts on the same port and key', async () => {
    let relay = await fixture.startRelay()
    const member = await fixture.startMember([relay])
    await waitForRelays(member, [relay.node])

    await fixture.stop(relay.node)
    await waitForRelays(member, [])
    expect(member.relayReservations.stats()).toMatchObject({ reservations: 0, lost: 1 })

    const restartedAt = performance.now()
    relay = await fixture.startRelay(relay)
    await waitForRelays(member, [relay.node])
    console.info(`[relay-reservations] reserved again ${Math.round(performance.now() - restartedAt)} ms after the relay restarted`)
    expect(relayHoldsReservationFor(relay.node, member)).toBe(true)
    expect(member.relayReservations.stats()).toMatchObject({ reservations: 1, renewals: 1 })
  })

  it('a member stays reachable through the other relay while one of two is down, and is back on both when it returns', async () => {
    let first = await fixture.startRelay()
    const second = await fixture.startRelay()
    const member = await fixture.startMember([first, second])
    await waitForRelays(member, [first.node, second.node])

    await fixture.stop(first.node)
    await waitForRelays(member, [second.node])
    // reachable through the remaining relay: a newcomer that only knows that relay dials it over WebRTC
    const newcomer = await fixture.startMember([second], { relayReservations: { targetRelays: 1 } })
    await waitForRelays(newcomer, [second.node])
    const connection = await newcomer.libp2p.dial(multiaddr(relayedWebRtcMultiaddr(member, second.node)))
    expect(connection.remoteAddr.toString()).toContain('/webrtc')
    expect(connection.limits).toBeUndefined()

    first = await fixture.startRelay(first)
    await waitForRelays(member, [first.node, second.node])
    expect(member.relayReservations.stats().reservations).toBe(2)
  })

  it('a member fails over to another connected relay when its only reserved relay goes away', async () => {
    const { relays, member } = await memberOnOneOfTwoRelays()
    const [held] = relaysInAddresses(member)
    const gone = relays.find(r => r.node.peerId === held)!
    const other = relays.find(r => r !== gone)!

    await fixture.stop(gone.node)
    await waitForRelays(member, [other.node])
    expect(member.relayReservations.stats()).toMatchObject({ reservations: 1, lost: 1 })
  })

  it('a member whose relay restarted can again be dialled over WebRTC by another member through it', async () => {
    let relay = await fixture.startRelay()
    const alice = await fixture.startMember([relay])
    await waitForRelays(alice, [relay.node])

    await fixture.stop(relay.node)
    await waitForRelays(alice, [])
    relay = await fixture.startRelay(relay)
    await waitForRelays(alice, [relay.node])

    // bob knows only the restarted relay; alice's address through it is all he can dial
    const bob = await fixture.startMember([relay])
    await waitForRelays(bob, [relay.node])
    const connection = await bob.libp2p.dial(multiaddr(relayedWebRtcMultiaddr(alice, relay.node)))
    expect(connection.remotePeer.toString()).toBe(alice.peerId)
    expect(connection.remoteAddr.toString()).toContain('/webrtc')
    expect(connection.limits).toBeUndefined()
    expect(await services(bob).ping.ping(alice.libp2p.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('a relay that refuses a reservation is tried again only when its backoff ends, the delay doubling', async () => {
    const relay = await fixture.startRelay(undefined, { maxReservations: 1 })
    const first = await fixture.startMember([relay])
    await waitForRelays(first, [relay.node])
    // the relay is full now; the second member's backoffs run on a clock only the test moves
    const clock = createFakeClock(1_000_000)
    const second = await fixture.startMember([relay], { clock })
    await vi.waitFor(() => { expect(second.relayReservations.candidates()[0]?.failures).toBe(1) }, RESERVATION_WAIT)
    const firstRetryInMs = second.relayReservations.candidates()[0]!.retryAt! - clock.now()
    expect(firstRetryInMs).toBeGreaterThanOrEqual(900)
    expect(firstRetryInMs).toBeLessThanOrEqual(1100)
    expect(second.relayReservations.stats()).toMatchObject({ attempts: 1, failures: 1, reservations: 0 })

    clock.advance(firstRetryInMs)
    await vi.waitFor(() => { expect(second.relayReservations.candidates()[0]?.failures).toBe(2) }, RESERVATION_WAIT)
    const secondRetryInMs = second.relayReservations.candidates()[0]!.retryAt! - clock.now()
    expect(secondRetryInMs).toBeGreaterThanOrEqual(1800)
    expect(secondRetryInMs).toBeLessThanOrEqual(2200)
    expect(second.relayReservations.stats()).toMatchObject({ attempts: 2, failures: 2, reservations: 0 })
    expect(relaysInAddresses(second)).toEqual([])
  })

  it('a relay frees the reservation of a member that left, so a newcomer gets the last slot', async () => {
    const relay = await fixture.startRelay(undefined, { maxReservations: 1 })
    const leaver = await fixture.startMember([relay])
    await waitForRelays(leaver, [relay.node])
    await fixture.stop(leaver)
    await vi.waitFor(() => { expect(relayHoldsReservationFor(relay.node, leaver)).toBe(false) }, RESERVATION_WAIT)

    const newcomer = await fixture.startMember([relay])
    await waitForRelays(newcomer, [relay.node])
    expect(newcomer.relayReservations.stats()).toMatchObject({ attempts: 1, failures: 0 })
  })

  it('relays reserve on no other relay, even when connected to one', async () => {
    const first = await fixture.startRelay()
    const second = await fixture.startRelay()
    second.node.addPeer(first.address)
    await vi.waitFor(() => { expect(second.node.libp2p.getConnections(first.node.libp2p.peerId)).not.toHaveLength(0) }, RESERVATION_WAIT)
    // a member on the same relay does reserve: identify has run everywhere by then
    const member = await fixture.startMember([first])
    await waitForRelays(member, [first.node])

    expect(second.node.relayReservations.stats().reservations).toBe(0)
    expect(second.node.addresses().filter(a => a.includes('/via/'))).toEqual([])
    expect(relayHoldsReservationFor(first.node, second.node)).toBe(false)
  })

  it('counts reservations in the peermesh_relay_reservations gauge', async () => {
    const registry = new Registry()
    const relays = [await fixture.startRelay(), await fixture.startRelay()]
    const member = await fixture.startMember(relays, { metrics: prometheusMetrics({ registry, collectDefaultMetrics: false }) })
    await waitForRelays(member, relays.map(r => r.node))

    const text = await registry.metrics()
    expect(text).toMatch(/^peermesh_relay_reservations 2$/m)
    expect(text).toMatch(/^peermesh_relay_reservations_total\{event="attempts"\} 2$/m)
  })
})
