import { describe, expect, it } from 'vitest'
import { createPeerMeshNode } from '../../src/node/create-node.js'
import { InvalidPeerManagerOptionsError } from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress } from '../peer-manager/support.js'

describe('createPeerMeshNode › peerManager options', () => {
  it('takes a partial set over the role preset and derives the rest (maxConnected 6 under the outbound cap of 12)', async () => {
    const node = await createPeerMeshNode({ memory: true, listen: [], peerManager: { maxConnected: 6, minConnected: 0 } })
    try {
      for (const peerId of await createPeerIds(8)) node.peerManager.add(memoryAddress(peerId), { source: 'config' })
      const dials = Array.from({ length: 8 }, () => node.peerManager.tryDialNext()).filter(d => d !== undefined)
      expect(dials).toHaveLength(6)
    } finally {
      await node.stop()
    }
  })

  it('names only the options the caller set in conflict', async () => {
    const created = createPeerMeshNode({ memory: true, listen: [], peerManager: { maxConnected: 6, maxOutgoingConnections: 12 } })
    await expect(created).rejects.toBeInstanceOf(InvalidPeerManagerOptionsError)
    await expect(created).rejects.toThrow(/^invalid peer manager options: maxOutgoingConnections 12 exceeds maxConnected 6$/)
  })
})
