/**
 * Address poisoning (issue 13): a hostile real libp2p peer answers every one of a relay's own
 * peer-exchange requests with 100 fresh addresses, each in its own /24. Real peermesh nodes over
 * the memory transport; their timers run on a fake clock that the test moves from one request to
 * the next, so ten minutes of the attack take a few seconds.
 *
 * Before the per-source share and the fixed pace, the relay asked the attacker again after about
 * a second (a full answer shortened the interval) and stored every fake peer (1,500 of 1,500
 * within 13 s in the probe).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { NodeAddress } from '../../src/address/index.js'
import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'
import { PEX_DEFAULTS, PEX_PROTOCOL } from '../../src/pex/constants.js'
import { encodePexFrame } from '../../src/pex/framing.js'
import type { PeerExchange } from '../../src/pex/index.js'
import { readPexStream, sendPexFrameAndClose } from '../../src/pex/stream-io.js'
import { createFakeClock, createTestNetwork, type TestNetwork } from '../../src/testing/index.js'
import { publicAddressesOfNewPeers } from '../pex/fixtures.js'

const STATE = { timeout: 20_000, interval: 10 }
/** How long the attack runs, on the fake clock. */
const ATTACK_MS = 10 * 60_000

/** A real libp2p node that answers every PEX request with what `answer()` gives. */
async function pexResponder (answer: () => Promise<NodeAddress[]>): Promise<{ libp2p: Libp2p, served: () => number, handed: Set<string> }> {
  const libp2p = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), memory: true, listen: [], start: true })
  const handed = new Set<string>()
  let served = 0
  await libp2p.handle(PEX_PROTOCOL, async (stream: Stream) => {
    const signal = AbortSignal.timeout(10_000)
    try {
      await readPexStream(stream, { peerId: 'victim', maxFrameBytes: 1024, maxTotalBytes: 2048, signal })
      const addresses = await answer()
      for (const a of addresses) handed.add(a.peerId)
      await sendPexFrameAndClose(stream, encodePexFrame({ response: { addresses: addresses.map(a => a.toString()) } }), { signal })
      served++
    } catch {
      stream.abort(new Error('responder gave up'))
    }
  })
  return { libp2p, served: () => served, handed }
}

/** The attacker: 100 fresh peers per answer, each in its own /24. */
async function poisoner (): ReturnType<typeof pexResponder> {
  let next = 0
  return await pexResponder(async () => {
    const addresses = await publicAddressesOfNewPeers(PEX_DEFAULTS.maxAddressesPerResponse, next)
    next += addresses.length
    return addresses
  })
}

describe('hostile › address poisoning', () => {
  let net: TestNetwork | undefined
  const others: Libp2p[] = []
  afterEach(async () => {
    await net?.stop()
    net = undefined
    await Promise.all(others.splice(0).map(async n => { await n.stop() }))
  })

  it('a peer answering every request with 100 fresh /24s fills only its share of a relay\'s book, at the normal pace, and an honest peer\'s addresses still get in', async () => {
    const clock = createFakeClock(Date.now())
    // the clock jumps from one request to the next (up to minutes): the heartbeat, which this
    // test is not about, would see each jump as a stalled link, so it stays out of the way
    const longerThanTheAttack = { heartbeatIntervalMs: 2 * ATTACK_MS, heartbeatStallToleranceMs: 2 * ATTACK_MS }
    net = await createTestNetwork(1, { role: 'relay', clock, router: longerThanTheAttack })
    await net.start()
    const relay = net.node(0)
    const pex = relay.libp2p.services.pex as PeerExchange
    const sourceCap = Math.min(PEX_DEFAULTS.maxNewPeersPerSource, Math.floor(PEX_DEFAULTS.maxSourceShare * 2000))

    // an honest peer that knows five peers of its own, and tells them every time
    const honestPeers = await publicAddressesOfNewPeers(5, 300)
    const honest = await pexResponder(async () => honestPeers)
    others.push(honest.libp2p)

    const attacker = await poisoner()
    others.push(attacker.libp2p)
    const target = relay.libp2p.getMultiaddrs().find(ma => ma.toString().startsWith('/memory/'))
    expect(target, 'the relay listens on a memory address').toBeDefined()
    await attacker.libp2p.dial(target!)
    await honest.libp2p.dial(target!)
    const attackerId = attacker.libp2p.peerId.toString()
    const honestId = honest.libp2p.peerId.toString()
    // premise: the relay asks both of them on its own schedule
    await expect.poll(() => {
      const ids = pex.scheduledPeers().map(p => p.peerId)
      return ids.includes(attackerId) && ids.includes(honestId)
    }, STATE).toBe(true)

    // move the clock from one planned request to the attacker to the next, for ATTACK_MS; before
    // each move, every request in flight has settled (a jump must not expire a running exchange)
    const startedAt = clock.now()
    while (clock.now() - startedAt < ATTACK_MS) {
      let at: number | undefined
      await expect.poll(() => {
        const scheduled = pex.scheduledPeers()
        at = scheduled.find(p => p.peerId === attackerId)?.nextRequestAt
        return at !== undefined && scheduled.every(p => p.nextRequestAt !== undefined)
      }, STATE).toBe(true)
      const servedBefore = attacker.served()
      clock.advance(Math.max(0, at! - clock.now()))
      if (clock.now() - startedAt > ATTACK_MS) break
      await expect.poll(() => attacker.served() > servedBefore, STATE).toBe(true)
    }

    const stored = (): number => relay.peerManager.peers().filter(p => attacker.handed.has(p.peerId)).length
    const minutes = ATTACK_MS / 60_000
    // the figure docs/SECURITY.md quotes
    console.info(`[address poisoning] after ${minutes} min: ${stored()} of ${attacker.handed.size} fake peers stored, ` +
      `${attacker.served()} requests to the attacker (${(attacker.served() / minutes).toFixed(1)} per minute)`)
    // the attack happened: the attacker was asked again and again and filled its whole share
    expect(attacker.served()).toBeGreaterThanOrEqual(5)
    expect(attacker.handed.size).toBeGreaterThan(sourceCap * 5)
    expect(stored()).toBe(sourceCap)
    expect(pex.stats().addressesOverSourceShare).toBe(attacker.handed.size - sourceCap)
    // at no more than the normal rate: the base interval less its jitter, plus the first request
    const fastestMs = PEX_DEFAULTS.baseRequestDelayMs * (1 - PEX_DEFAULTS.requestJitterRatio)
    expect(attacker.served()).toBeLessThanOrEqual(1 + Math.ceil(ATTACK_MS / fastestMs))

    // the honest member's peers got in, beside the attacker's share. The honest peer is asked on
    // its own schedule, which may lie beyond the attack's last request (its first request waits
    // 30 s or more once the attacker's first answer filled the book): move the clock to it
    const honestKnown = (): boolean => honestPeers.every(a => relay.peerManager.peer(a.peerId) !== undefined)
    if (!honestKnown()) {
      let honestAt: number | undefined
      await expect.poll(() => {
        honestAt = pex.scheduledPeers().find(p => p.peerId === honestId)?.nextRequestAt
        return honestAt !== undefined
      }, STATE).toBe(true)
      const servedBefore = honest.served()
      clock.advance(Math.max(0, honestAt! - clock.now()))
      await expect.poll(() => honest.served() > servedBefore, STATE).toBe(true)
    }
    await expect.poll(honestKnown, STATE).toBe(true)
    expect(honest.served()).toBeGreaterThanOrEqual(1)
  })
})
