import { createPeerManagerOptions, defaultPeerManagerOptions, relayPeerManagerOptions } from '@peermesh/core'
import { describe, expect, it } from 'vitest'
import { DEFAULTS, defaultMaxConnectionsFor, peerManagerLimitsFor } from '../src/defaults.js'
import type { RelayRole } from '../src/options.js'

describe('peerManagerLimitsFor', () => {
  const roles: RelayRole[] = ['relay', 'peer']
  for (const role of roles) {
    it(`gives ${role}s peer manager options that core accepts for every allowed --max-connections`, () => {
      for (const maxConnected of [1, 2, 4, 16, defaultMaxConnectionsFor(role), DEFAULTS.maxConnectionsLimit]) {
        const options = createPeerManagerOptions(peerManagerLimitsFor(role, maxConnected))
        expect(options.maxConnected).toBe(maxConnected)
        expect(options.maxOutgoingConnections).toBeLessThanOrEqual(maxConnected)
      }
    })
  }

  it('derives the outbound cap, minimum degree and address book from --max-connections', () => {
    expect(peerManagerLimitsFor('peer', 6)).toEqual({ ...defaultPeerManagerOptions, maxConnected: 6, maxOutgoingConnections: 6 })
    expect(peerManagerLimitsFor('peer', 2)).toMatchObject({ maxConnected: 2, maxOutgoingConnections: 2, minConnected: 2, maxPeers: 260 })
    expect(peerManagerLimitsFor('peer', 256)).toMatchObject({ maxConnected: 256, maxOutgoingConnections: 12, maxPeers: 260 })
    expect(peerManagerLimitsFor('relay', 8)).toEqual({ ...relayPeerManagerOptions, maxConnected: 8, maxOutgoingConnections: 8 })
  })

  it('keeps the role preset when --max-connections is its default', () => {
    expect(peerManagerLimitsFor('relay', defaultMaxConnectionsFor('relay'))).toEqual(relayPeerManagerOptions)
    expect(createPeerManagerOptions(peerManagerLimitsFor('relay', defaultMaxConnectionsFor('relay'))).maxPeers).toBe(2000)
  })
})
