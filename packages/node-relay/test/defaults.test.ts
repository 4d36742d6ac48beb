import { createPeerManagerOptions } from '@peermesh/core'
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

  it('keeps the role preset when --max-connections is its default', () => {
    expect(createPeerManagerOptions(peerManagerLimitsFor('relay', defaultMaxConnectionsFor('relay'))).maxPeers).toBe(2000)
  })
})
