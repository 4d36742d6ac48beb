import { beforeAll, describe, expect, it } from 'vitest'
import {
  InvalidPeerManagerOptionsError, browserPeerManagerOptions, createPeerManagerOptions, defaultPeerManagerOptions,
  misbehaviourPoints, openPeerManager, relayPeerManagerOptions, validatePeerManagerOptions,
  type PeerManagerOptions
} from '../../src/peer-manager/index.js'
import { createMemoryPeerStore } from '../../src/store/memory-peer-store.js'
import { createPeerIds, memoryAddress, zeroOptions } from './support.js'

let self: string
let a: string, b: string, c: string

beforeAll(async () => {
  [self, a, b, c] = await createPeerIds(4) as [string, string, string, string]
})

function problemsOf (options: Partial<PeerManagerOptions>): readonly string[] {
  try {
    validatePeerManagerOptions({ ...zeroOptions, ...options })
    return []
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPeerManagerOptionsError)
    return (err as InvalidPeerManagerOptionsError).problems
  }
}

describe('PeerManager options', () => {
  // §2 scenario 1
  it.each<[string, Partial<PeerManagerOptions>, boolean]>([
    ['zero options', {}, true],
    ['maxPeers without maxConnected', { maxPeers: 3 }, false],
    ['maxPeers below maxConnected + maxConnectedUpgrade', { maxPeers: 2, maxConnected: 2, maxConnectedUpgrade: 1 }, false],
    ['maxPeers at maxConnected + maxConnectedUpgrade', { maxPeers: 3, maxConnected: 2, maxConnectedUpgrade: 1 }, true],
    ['maxRetryTimeMs below minRetryTimeMs', { minRetryTimeMs: 7_000, maxRetryTimeMs: 5_000 }, false],
    ['maxRetryTimeMs at minRetryTimeMs', { minRetryTimeMs: 5_000, maxRetryTimeMs: 5_000 }, true],
    ['maxRetryTimeMs without minRetryTimeMs', { maxRetryTimeMs: 5_000 }, false],
    ['maxRetryTimePersistentMs below minRetryTimeMs', { minRetryTimeMs: 7_000, maxRetryTimePersistentMs: 5_000 }, false],
    ['maxRetryTimePersistentMs without minRetryTimeMs', { maxRetryTimePersistentMs: 5_000 }, false],
    ['outgoing above maxConnected', { maxConnected: 4, maxOutgoingConnections: 5 }, false],
    ['outgoing at maxConnected', { maxConnected: 4, maxOutgoingConnections: 4 }, true],
    ['minConnected above maxConnected', { maxConnected: 4, minConnected: 5 }, false],
    ['minConnected above maxOutgoingConnections (the floor lifts the outbound cap)', { maxConnected: 8, maxOutgoingConnections: 2, minConnected: 4 }, true],
    ['maxAddressesPerPeer above the store limit', { maxAddressesPerPeer: 65 }, false],
    ['a negative count', { maxConnected: -1 }, false],
    ['a fractional count', { maxPeers: 2.5 }, false],
    ['a non-finite duration', { banTtlMs: Number.POSITIVE_INFINITY }, false]
  ])('%s is %s', (_name, options, valid) => {
    expect(problemsOf(options).length === 0).toBe(valid)
  })

  it('lists every conflict at once, in words', () => {
    const problems = problemsOf({ maxConnected: 2, maxOutgoingConnections: 3, minConnected: 4, maxRetryTimeMs: 10 })
    expect(problems).toHaveLength(3)
    expect(problems.join('\n')).toMatch(/maxOutgoingConnections 3 exceeds maxConnected 2/)
    expect(problems.join('\n')).toMatch(/minConnected 4 exceeds maxConnected 2/)
    expect(problems.join('\n')).toMatch(/maxRetryTimeMs needs minRetryTimeMs/)
  })

  it('defaults to CometBFT\'s production values plus ours', () => {
    expect(defaultPeerManagerOptions).toMatchObject({
      maxConnected: 64,
      maxOutgoingConnections: 12,
      maxConnectedUpgrade: 4,
      maxPeers: 260,
      minRetryTimeMs: 250,
      maxRetryTimeMs: 30 * 60_000,
      maxRetryTimePersistentMs: 5 * 60_000,
      retryTimeJitterMs: 5_000,
      disconnectCooldownMs: 2_000,
      advertiseMaxAgeMs: 3 * 3_600_000,
      expireAfterMs: 7 * 24 * 3_600_000,
      misbehaviourBanThreshold: 100,
      misbehaviourDecayPerHour: 5,
      banTtlMs: 24 * 3_600_000,
      allowPrivateAddresses: true
    })
    expect(misbehaviourPoints).toEqual({ invalidMessage: 10, timeout: 5, unsolicited: 15 })
    expect(validatePeerManagerOptions({ ...defaultPeerManagerOptions })).toEqual(defaultPeerManagerOptions)
  })

  it('builds a browser preset for a tab and a relay preset for a server, both valid', () => {
    expect(browserPeerManagerOptions).toMatchObject({ minConnected: 3, maxConnected: 8, maxOutgoingConnections: 6, maxConnectedUpgrade: 2, maxPeers: 200 })
    expect(relayPeerManagerOptions).toMatchObject({ maxConnected: 200, maxOutgoingConnections: 16, minConnected: 4, maxPeers: 2000 })
    expect(() => validatePeerManagerOptions({ ...browserPeerManagerOptions })).not.toThrow()
    expect(() => validatePeerManagerOptions({ ...relayPeerManagerOptions })).not.toThrow()
  })

  it('createPeerManagerOptions applies overrides to the defaults, ignores undefined, and validates', () => {
    const options = createPeerManagerOptions({ maxConnected: 20, minConnected: undefined })
    expect(options.maxConnected).toBe(20)
    expect(options.minConnected).toBe(defaultPeerManagerOptions.minConnected)
    expect(() => createPeerManagerOptions({ maxConnected: 10, maxOutgoingConnections: 11 })).toThrow(InvalidPeerManagerOptionsError)
  })
})

describe('openPeerManager', () => {
  it('opens with zero options', async () => {
    const pm = await openPeerManager({ selfId: self, store: createMemoryPeerStore(), options: zeroOptions })
    expect(pm.peers()).toEqual([])
    await pm.close()
  })

  it('refuses more persistent peers than maxConnected', async () => {
    const open = openPeerManager({
      selfId: self,
      store: createMemoryPeerStore(),
      options: { ...zeroOptions, maxConnected: 2 },
      persistentPeers: [memoryAddress(a), memoryAddress(b), memoryAddress(c)]
    })
    await expect(open).rejects.toBeInstanceOf(InvalidPeerManagerOptionsError)
    await expect(open).rejects.toThrow(/3 persistent peers exceed maxConnected 2/)
  })

  it('accepts as many persistent peers as maxConnected', async () => {
    const pm = await openPeerManager({
      selfId: self,
      store: createMemoryPeerStore(),
      options: { ...zeroOptions, maxConnected: 3 },
      persistentPeers: [memoryAddress(a), memoryAddress(b), memoryAddress(c)]
    })
    expect(pm.peers().every(p => p.persistent)).toBe(true)
    await pm.close()
  })

  it('refuses ourselves as a persistent peer and an empty selfId', async () => {
    await expect(openPeerManager({ selfId: self, store: createMemoryPeerStore(), persistentPeers: [memoryAddress(self)] }))
      .rejects.toThrow(/persistent peer is ourselves/)
    await expect(openPeerManager({ selfId: '', store: createMemoryPeerStore() }))
      .rejects.toBeInstanceOf(InvalidPeerManagerOptionsError)
  })
})
