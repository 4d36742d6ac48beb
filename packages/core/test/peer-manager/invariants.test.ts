/**
 * Random operation sequences against the PeerManager (CometBFT's own test file wished for this):
 * after every step the invariants below must hold, and every error thrown must be one of the
 * manager's typed errors.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { NodeAddress } from '../../src/address/index.js'
import {
  AlreadyConnectedError, ConnectionLimitError, InactivePeerError, PeerBannedError, SelfConnectionError,
  UnknownPeerError, type PeerManagerOptions
} from '../../src/peer-manager/index.js'
import { createPeerIds, memoryAddress, openHarness, relayedAddress, seededRandom, wsAddress } from './support.js'

let self: string
let peers: string[]

beforeAll(async () => {
  const ids = await createPeerIds(9)
  self = ids[0] ?? ''
  peers = ids.slice(1)
})

const TYPED_ERRORS = [AlreadyConnectedError, ConnectionLimitError, InactivePeerError, PeerBannedError, SelfConnectionError, UnknownPeerError]

type Op =
  | { kind: 'add', peer: number, form: number, source: 'gossip' | 'config' | 'verified' }
  | { kind: 'tryDialNext' }
  | { kind: 'dialed' | 'dialFailed', pick: number }
  | { kind: 'accepted' | 'disconnected' | 'errored' | 'reportGood' | 'reportBad' | 'ban' | 'inactivate' | 'ready', peer: number }
  | { kind: 'misbehaved', peer: number, points: number }
  | { kind: 'tryEvictNext' }
  | { kind: 'advance', ms: number }

const peerIndex = fc.integer({ min: 0, max: 7 })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), peer: peerIndex, form: fc.integer({ min: 0, max: 3 }), source: fc.constantFrom('gossip' as const, 'config' as const, 'verified' as const) }),
  fc.constant({ kind: 'tryDialNext' as const }),
  fc.constant({ kind: 'tryDialNext' as const }),
  fc.record({ kind: fc.constantFrom('dialed' as const, 'dialFailed' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('accepted' as const, 'disconnected' as const, 'errored' as const, 'reportGood' as const,
      'reportBad' as const, 'ban' as const, 'inactivate' as const, 'ready' as const),
    peer: peerIndex
  }),
  fc.record({ kind: fc.constant('misbehaved' as const), peer: peerIndex, points: fc.integer({ min: 1, max: 60 }) }),
  fc.constant({ kind: 'tryEvictNext' as const }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10_000 }) })
)

const optionSets: Array<Partial<PeerManagerOptions>> = [
  { maxConnected: 3, maxConnectedUpgrade: 1, maxOutgoingConnections: 2, minConnected: 2, maxPeers: 6, minRetryTimeMs: 100, maxRetryTimeMs: 1_000, retryTimeJitterMs: 50, disconnectCooldownMs: 200, banTtlMs: 5_000, misbehaviourBanThreshold: 100, misbehaviourDecayPerHour: 5, maxAddressesPerPeer: 2, maxAddressesPerGroup: 4, maxAddressesPerRelay: 5 },
  { maxConnected: 2, maxConnectedUpgrade: 2, maxPeers: 4, minRetryTimeMs: 50, banTtlMs: 1_000 },
  {}
]

function addressOf (peer: string, form: number): NodeAddress {
  switch (form) {
    case 0: return memoryAddress(peer)
    case 1: return wsAddress(peer, '10.0.0.1')
    case 2: return wsAddress(peer, '10.0.1.1')
    default: {
      const relay = peers[7] === peer ? peers[6] : peers[7]
      return relayedAddress(peer, relay ?? '')
    }
  }
}

describe('PeerManager › invariants under random operations', () => {
  it.each(optionSets.map((options, i) => [i, options] as const))('hold for option set %i', async (_i, options) => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 120 }), fc.integer(), async (ops, seed) => {
      const { pm, clock } = await openHarness({ selfId: self, options, random: seededRandom(seed) })
      const handedOut: NodeAddress[] = []
      const maxConnected = options.maxConnected ?? 0
      const upgrade = options.maxConnectedUpgrade ?? 0
      const maxOutgoing = options.maxOutgoingConnections ?? 0
      const minConnected = options.minConnected ?? 0
      for (const step of ops) {
        try {
          switch (step.kind) {
            case 'add': pm.add(addressOf(peers[step.peer] ?? '', step.form), { source: step.source }); break
            case 'tryDialNext': {
              const before = new Map(pm.peers().map(p => [p.peerId, p.state]))
              const address = pm.tryDialNext()
              if (address !== undefined) {
                expect(address.peerId).not.toBe(self)
                expect(['known', undefined]).toContain(before.get(address.peerId))
                handedOut.push(address)
                // A dial is only handed out within the caps (or below the floor, for the outbound cap).
                const after = pm.stats()
                if (maxConnected > 0) expect(after.connected + after.dialing).toBeLessThanOrEqual(maxConnected + upgrade)
                if (maxOutgoing > 0 && after.outbound + after.dialing > maxOutgoing) {
                  expect(after.connected + after.dialing).toBeLessThanOrEqual(minConnected)
                }
              }
              break
            }
            case 'dialed':
            case 'dialFailed': {
              const address = handedOut.splice(step.pick % Math.max(1, handedOut.length), 1)[0]
              if (address !== undefined) pm[step.kind](address)
              break
            }
            case 'misbehaved': pm.misbehaved(peers[step.peer] ?? '', step.points, 'test'); break
            case 'tryEvictNext': {
              const victim = pm.tryEvictNext()
              if (victim !== undefined) pm.disconnected(victim)
              break
            }
            case 'advance': clock.advance(step.ms); break
            case 'ready': pm.ready(peers[step.peer] ?? '', []); break
            case 'ban': pm.ban(peers[step.peer] ?? '', 'test'); break
            case 'inactivate': pm.inactivate(peers[step.peer] ?? '', 'test'); break
            case 'errored': pm.errored(peers[step.peer] ?? '', 'test'); break
            default: pm[step.kind](peers[step.peer] ?? '')
          }
        } catch (err) {
          expect(TYPED_ERRORS.some(type => err instanceof type), String(err)).toBe(true)
        }
        const stats = pm.stats()
        if (maxConnected > 0) expect(stats.connected).toBeLessThanOrEqual(maxConnected + upgrade)
        expect(stats.evicting).toBeLessThanOrEqual(stats.connected)
        expect(stats.upgrading).toBeLessThanOrEqual(stats.dialing)
        expect(Object.values(stats.byState).reduce((x, y) => x + y, 0)).toBe(stats.peers)
        for (const row of pm.peers()) {
          expect(row.peerId).not.toBe(self)
          expect(row.addresses.length).toBeLessThanOrEqual(64)
          if (row.state === 'banned') expect(pm.canAccept(row.peerId)).toBe(false)
        }
        expect(clock.pendingTimers()).toBe(0)
      }
      await pm.close()
    }), { numRuns: 60 })
  })
})
