/**
 * The node's Logger is its only logger: what peer exchange (a libp2p service) logs, and why a dial
 * failed, reach the Logger a node was given. Real nodes over the memory transport and WebSockets
 * on loopback, a real hostile libp2p node speaking the peer-exchange protocol badly.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'
import { createPeerMeshNode } from '../../src/node/create-node.js'
import { PEX_PROTOCOL } from '../../src/pex/index.js'
import { createTestNetwork, type TestNetwork } from '../../src/testing/index.js'
import { recordingLogger } from '../store/fixtures.js'

const STATE = { timeout: 20_000, interval: 20 }

describe('one logger', () => {
  let net: TestNetwork | undefined
  const others: Array<{ stop: () => void | Promise<void> }> = []
  afterEach(async () => {
    await net?.stop()
    net = undefined
    await Promise.all(others.splice(0).map(async n => { await n.stop() }))
  })

  it('a peer sending garbage peer exchange shows in the node\'s Logger: a warning per penalty, then its ban', async () => {
    const logger = recordingLogger()
    net = await createTestNetwork(1, { logger })
    await net.start()
    const node = net.node(0)
    const hostile: Libp2p = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), memory: true, listen: [], start: true })
    others.push(hostile)
    const hostileId = hostile.peerId.toString()
    const target = node.libp2p.getMultiaddrs().find(ma => ma.toString().startsWith('/memory/'))
    expect(target, 'the node listens on a memory address').toBeDefined()

    const penaltyLines = (): typeof logger.lines => logger.lines.filter(l => l.fields?.component === 'peermesh:pex').filter(l => l.message.startsWith(`penalising ${hostileId}`))
    const banned = (): boolean => logger.lines.some(l => l.message === 'peer banned' && l.fields?.peerId === hostileId)
    // undecodable bytes, again and again, each after the previous one was penalised
    for (let sent = 0; !banned(); sent++) {
      // 100 points ban; points decay a little while we send, so the eleventh penalty may be the one
      expect(sent, 'banned by the eleventh 10-point penalty').toBeLessThan(11)
      const stream = await hostile.dialProtocol(target!, PEX_PROTOCOL)
      try {
        stream.send(Uint8Array.of(0x02, 0xff, 0xff))
        await stream.close()
      } catch {
        // asking again this soon is refused (and penalised) before the node reads a byte
      }
      await expect.poll(() => penaltyLines().length > sent || banned(), STATE).toBe(true)
    }

    const first = penaltyLines()[0]!
    expect(first).toMatchObject({ level: 'warn', fields: { component: 'peermesh:pex' } })
    expect(first.message).toMatch(/^penalising \S+ with 10 points \(pex\/invalid-message\): /)
    expect(penaltyLines().every(l => l.level === 'warn')).toBe(true)
    expect(logger.lines.find(l => l.message === 'peer banned' && l.fields?.peerId === hostileId)).toMatchObject({ level: 'info' })
    expect(node.peerManager.peer(hostileId)?.state).toBe('banned')
    // libp2p's own components log below info (their errors at debug); nothing of theirs above
    expect(logger.lines.filter(l => typeof l.fields?.component === 'string' && !(l.fields?.component as string).startsWith('peermesh:') && l.level !== 'debug')).toEqual([])
    expect(node.libp2p.status).toBe('started')
  })

  it('a failed dial is logged with its error\'s name, message and cause chain', async () => {
    const logger = recordingLogger()
    const nobody = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    // port 1 on loopback refuses at once
    const node = await createPeerMeshNode({ logger, bootstrap: [`ws://${nobody}@127.0.0.1:1`] })
    others.push(node)
    await node.start()
    await expect.poll(() => logger.lines.some(l => l.message === 'dial failed'), STATE).toBe(true)
    const failure = logger.lines.find(l => l.message === 'dial failed')!
    expect(failure.fields?.error).toEqual(expect.any(String))
    expect(failure.fields?.error).toMatch(/^\w+Error: .*127\.0\.0\.1:1.*; cause: .*ECONNREFUSED/)
  })
})
