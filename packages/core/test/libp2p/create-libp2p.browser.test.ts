/**
 * The browser factory, in real Chromium (the Vitest config swaps create-libp2p.node.js for
 * create-libp2p.browser.ts here).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import type { ComponentLogger } from '@libp2p/interface'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'
import { recordingLogger } from '../store/fixtures.js'

describe('createLibp2pNode (browser)', () => {
  it('starts a browser member that listens for relayed WebRTC only', async () => {
    const node = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), start: true })
    try {
      expect(node.status).toBe('started')
      // No relay reservation yet, so no dialable address; no socket listener either.
      expect(node.getMultiaddrs().map(String)).toEqual([])
      expect(node.services.relay).toBeUndefined()
      expect(node.services.pubsub.getTopics()).toEqual([])
    } finally {
      await node.stop()
    }
  })

  it('hands libp2p its logger in a tab too: a service\'s component logger writes into it', async () => {
    const logger = recordingLogger()
    const node = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      memory: true,
      listen: [],
      logger,
      services: {
        probe: (components: { logger: ComponentLogger }) => {
          components.logger.forComponent('peermesh:probe').error('penalising %s with %d points', 'a-peer', 10)
          return {}
        }
      }
    })
    try {
      expect(logger.lines.filter(l => l.fields?.component === 'peermesh:probe')).toEqual([
        { level: 'warn', message: 'penalising a-peer with 10 points', fields: { component: 'peermesh:probe' } }
      ])
    } finally {
      await node.stop()
    }
  })

  it('refuses the relay role', async () => {
    await expect(createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), role: 'relay' }))
      .rejects.toMatchObject({ name: 'InvalidLibp2pNodeInitError', option: 'role' })
  })

  it('talks to another in-page node over the memory transport', async () => {
    const a = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), memory: true, listen: [], start: true })
    const b = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), memory: true, listen: [], start: true })
    try {
      const address = a.getMultiaddrs().find((ma) => ma.toString().startsWith('/memory/'))
      expect(address).toBeDefined()
      await b.dial(address!)
      expect(await b.services.ping.ping(a.peerId)).toBeGreaterThanOrEqual(0)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
