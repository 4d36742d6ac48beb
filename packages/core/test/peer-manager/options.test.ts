import { beforeAll, describe, expect, it } from 'vitest'
import {
  InvalidPeerManagerOptionsError, browserPeerManagerOptions, createPeerManagerOptions, defaultPeerManagerOptions,
  misbehaviourPoints, openPeerManager, relayPeerManagerOptions, validatePeerManagerOptions,
  type PeerManagerOptions
} from '../../src/peer-manager/index.js'
import { peerManagerOptionsProblems, peerManagerPresetFor } from '../../src/peer-manager/options.js'
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
      refusedRetryTimeMs: 5_000,
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

function problemsOfCreate (overrides: Partial<PeerManagerOptions>, base?: PeerManagerOptions): readonly string[] {
  try {
    createPeerManagerOptions(overrides, base)
    return []
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPeerManagerOptionsError)
    return (err as InvalidPeerManagerOptionsError).problems
  }
}

describe('createPeerManagerOptions › partial options change these and derive the rest', () => {
  it('lowers the outbound cap to a maxConnected below it (the core README example)', () => {
    const options = createPeerManagerOptions({ minConnected: 3, maxConnected: 6 })
    expect(options).toEqual({ ...defaultPeerManagerOptions, minConnected: 3, maxConnected: 6, maxOutgoingConnections: 6 })
  })

  it('lowers the outbound cap and the minimum degree of a role preset', () => {
    expect(createPeerManagerOptions({ maxConnected: 2 }, browserPeerManagerOptions))
      .toEqual({ ...browserPeerManagerOptions, maxConnected: 2, maxOutgoingConnections: 2, minConnected: 2 })
    expect(createPeerManagerOptions({ maxConnected: 1 }))
      .toMatchObject({ maxConnected: 1, maxOutgoingConnections: 1, minConnected: 1, maxPeers: 260 })
  })

  it('keeps the preset caps under a larger maxConnected and grows the address book to hold it', () => {
    expect(createPeerManagerOptions({ maxConnected: 50 }, browserPeerManagerOptions))
      .toEqual({ ...browserPeerManagerOptions, maxConnected: 50 })
    expect(createPeerManagerOptions({ maxConnected: 300 })).toMatchObject({ maxConnected: 300, maxPeers: 304, maxOutgoingConnections: 12 })
  })

  it('makes the address book unlimited with unlimited connections (maxPeers needs a connection limit)', () => {
    expect(createPeerManagerOptions({ maxConnected: 0 })).toMatchObject({ maxConnected: 0, maxPeers: 0, maxOutgoingConnections: 12 })
  })

  it('raises maxConnected to a larger outbound cap or minimum degree', () => {
    expect(createPeerManagerOptions({ maxOutgoingConnections: 20 }, browserPeerManagerOptions))
      .toEqual({ ...browserPeerManagerOptions, maxOutgoingConnections: 20, maxConnected: 20 })
    expect(createPeerManagerOptions({ minConnected: 10 }, browserPeerManagerOptions))
      .toMatchObject({ minConnected: 10, maxConnected: 10, maxOutgoingConnections: 6 })
  })

  it('fits maxConnected under a smaller address book, keeping the upgrade slots while it can', () => {
    expect(createPeerManagerOptions({ maxPeers: 10 }))
      .toMatchObject({ maxPeers: 10, maxConnected: 6, maxConnectedUpgrade: 4, maxOutgoingConnections: 6, minConnected: 4 })
    expect(createPeerManagerOptions({ maxPeers: 3 }))
      .toMatchObject({ maxPeers: 3, maxConnected: 1, maxConnectedUpgrade: 2, maxOutgoingConnections: 1, minConnected: 1 })
    expect(createPeerManagerOptions({ maxPeers: 66, maxConnected: 64 })).toMatchObject({ maxConnectedUpgrade: 2 })
  })

  it('fits the retry delays around a set unit or cap', () => {
    expect(createPeerManagerOptions({ maxRetryTimeMs: 100 })).toMatchObject({ minRetryTimeMs: 100, maxRetryTimeMs: 100, maxRetryTimePersistentMs: 300_000 })
    expect(createPeerManagerOptions({ minRetryTimeMs: 600_000 })).toMatchObject({ minRetryTimeMs: 600_000, maxRetryTimeMs: 1_800_000, maxRetryTimePersistentMs: 600_000 })
    expect(createPeerManagerOptions({ minRetryTimeMs: 0 })).toMatchObject({ minRetryTimeMs: 0, maxRetryTimeMs: 0, maxRetryTimePersistentMs: 0 })
    expect(createPeerManagerOptions({ maxRetryTimeMs: 5_000 }, zeroOptions)).toMatchObject({ minRetryTimeMs: 250, maxRetryTimeMs: 5_000 })
  })

  it('returns options that were already consistent unchanged', () => {
    // a seeded walk over many consistent option sets: derivation never moves one of them
    let seed = 7
    const next = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n }
    let checked = 0
    for (let i = 0; i < 2_000; i++) {
      const candidate: PeerManagerOptions = {
        ...defaultPeerManagerOptions,
        maxConnected: next(40),
        maxOutgoingConnections: next(40),
        minConnected: next(40),
        maxConnectedUpgrade: next(8),
        maxPeers: next(3) === 0 ? 0 : next(80),
        minRetryTimeMs: next(4) * 1_000,
        maxRetryTimeMs: next(4) * 1_000,
        maxRetryTimePersistentMs: next(4) * 1_000
      }
      if (peerManagerOptionsProblems(candidate).length > 0) continue
      checked++
      const keys = Object.keys(candidate) as Array<keyof PeerManagerOptions>
      const partial = Object.fromEntries(keys.filter(() => next(2) === 0).map(k => [k, candidate[k]]))
      expect(createPeerManagerOptions(partial, candidate)).toEqual(candidate)
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('names only what the caller set in conflict', () => {
    expect(problemsOfCreate({ maxOutgoingConnections: 12, maxConnected: 6 })).toEqual(['maxOutgoingConnections 12 exceeds maxConnected 6'])
    expect(problemsOfCreate({ maxOutgoingConnections: 20, maxPeers: 10 })).toEqual(['maxOutgoingConnections 20 exceeds maxPeers 10'])
    expect(problemsOfCreate({ minConnected: 10, maxConnectedUpgrade: 4, maxPeers: 12 })).toEqual(['minConnected 10 + maxConnectedUpgrade 4 exceed maxPeers 12'])
    expect(problemsOfCreate({ maxConnectedUpgrade: 5, maxPeers: 5 })).toEqual(['maxConnectedUpgrade 5 leaves no connection under maxPeers 5'])
    expect(problemsOfCreate({ maxConnected: 20, maxPeers: 10 })).toEqual(['maxConnected 20 exceeds maxPeers 10'])
    expect(problemsOfCreate({ maxConnected: 0, maxPeers: 10 })).toEqual(['maxPeers 10 needs a maxConnected limit'])
    expect(problemsOfCreate({ minRetryTimeMs: 7_000, maxRetryTimeMs: 5_000 })).toEqual(['minRetryTimeMs 7000 exceeds maxRetryTimeMs 5000'])
  })

  it('lists every problem at once, malformed values beside conflicts', () => {
    const problems = problemsOfCreate({
      maxConnected: 6,
      maxOutgoingConnections: 12,
      minConnected: 7,
      minRetryTimeMs: 10,
      maxRetryTimeMs: 5,
      maxAddressesPerPeer: 65,
      banTtlMs: -1
    })
    expect(problems).toEqual([
      'banTtlMs must be a finite number ≥ 0 (got -1)',
      'maxOutgoingConnections 12 exceeds maxConnected 6',
      'minConnected 7 exceeds maxConnected 6',
      'minRetryTimeMs 10 exceeds maxRetryTimeMs 5',
      'maxAddressesPerPeer 65 exceeds the store\'s limit of 64'
    ])
    // a malformed value is not judged against others, and the rest is still derived around it
    expect(problemsOfCreate({ maxConnected: -1, minConnected: 2 })).toEqual(['maxConnected must be an integer ≥ 0 (got -1)'])
    expect(problemsOfCreate({ maxConnected: 6, banTtlMs: Number.NaN })).toEqual(['banTtlMs must be a finite number ≥ 0 (got NaN)'])
  })

  it('openPeerManager derives partial options the same way: maxConnected 2 caps the dials at 2', async () => {
    const pm = await openPeerManager({ selfId: self, store: createMemoryPeerStore(), options: { maxConnected: 2, minConnected: 0 } })
    for (const peer of [a, b, c]) pm.add(memoryAddress(peer), { source: 'config' })
    const dials = [pm.tryDialNext(), pm.tryDialNext(), pm.tryDialNext()]
    expect(dials.filter(d => d !== undefined)).toHaveLength(2)
    await pm.close()
  })

  it('peerManagerPresetFor gives each role its preset', () => {
    expect(peerManagerPresetFor('relay')).toBe(relayPeerManagerOptions)
    expect(peerManagerPresetFor('browser')).toBe(browserPeerManagerOptions)
    expect(peerManagerPresetFor('node')).toBe(defaultPeerManagerOptions)
  })
})
