/**
 * Shared setup for the PeerManager tests: real Ed25519 PeerIds, NodeAddress builders, a seeded
 * random source, the all-zero options CometBFT's own tests use, and a manager opened on a fake
 * clock over the real memory peer store.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { parseNodeAddress, type NodeAddress } from '../../src/address/index.js'
import type { Random } from '../../src/clock.js'
import {
  openPeerManager, type PeerManager, type PeerManagerInit, type PeerManagerOptions
} from '../../src/peer-manager/index.js'
import { createMemoryPeerStore } from '../../src/store/memory-peer-store.js'
import type { PeerStore } from '../../src/store/peer-store.js'
import { createFakeClock, type FakeClock } from '../../src/testing/fake-clock.js'

/** `count` fresh PeerId strings (Ed25519). */
export async function createPeerIds (count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    ids.push(peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
  }
  return ids
}

export function memoryAddress (peerId: string, name = 'node'): NodeAddress {
  return parseNodeAddress(`memory://${peerId}@${name}`)
}

export function wsAddress (peerId: string, host = '10.0.0.1', port = 4001): NodeAddress {
  return parseNodeAddress(`ws://${peerId}@${host}:${port}`)
}

/** `peerId` reached through `relayId`'s WebSocket listener, with WebRTC signalled over it. */
export function relayedAddress (peerId: string, relayId: string, relayHost = '10.0.0.1'): NodeAddress {
  return parseNodeAddress(`webrtc+ws://${peerId}@${relayHost}:4001/via/${relayId}`)
}

/** A deterministic random source (mulberry32). */
export function seededRandom (seed = 1): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every limit off, no retries, no cooldown: CometBFT's `PeerManagerOptions{}`. */
export const zeroOptions: PeerManagerOptions = Object.freeze({
  maxConnected: 0,
  maxOutgoingConnections: 0,
  maxConnectedUpgrade: 0,
  minConnected: 0,
  maxPeers: 0,
  minRetryTimeMs: 0,
  refusedRetryTimeMs: 0,
  maxRetryTimeMs: 0,
  maxRetryTimePersistentMs: 0,
  retryTimeJitterMs: 0,
  disconnectCooldownMs: 0,
  maxAddressesPerPeer: 0,
  maxAddressesPerGroup: 0,
  maxAddressesPerRelay: 0,
  allowPrivateAddresses: true,
  advertiseMaxAgeMs: 0,
  expireAfterMs: 0,
  misbehaviourBanThreshold: 0,
  misbehaviourDecayPerHour: 0,
  banTtlMs: 0
})

export const START_MS = 1_700_000_000_000

export interface Harness {
  pm: PeerManager
  clock: FakeClock
  store: PeerStore
  /** The memory store's backing map: pass it to `reopen()` to simulate a restart. */
  entries: Map<string, unknown>
}

export interface HarnessInit extends Omit<Partial<PeerManagerInit>, 'options' | 'store' | 'clock'> {
  selfId: string
  /** Applied over {@link zeroOptions} (not over the defaults). */
  options?: Partial<PeerManagerOptions>
  entries?: Map<string, unknown>
  store?: PeerStore
  clock?: FakeClock
}

export async function openHarness (init: HarnessInit): Promise<Harness> {
  const entries = init.entries ?? new Map<string, unknown>()
  const store = init.store ?? createMemoryPeerStore({ entries })
  const clock = init.clock ?? createFakeClock(START_MS)
  const pm = await openPeerManager({
    random: seededRandom(),
    ...init,
    options: { ...zeroOptions, ...init.options },
    store,
    clock
  })
  return { pm, clock, store, entries }
}

/** Resolves to 'pending' if `promise` has not settled after the microtask queue drains. */
export async function settledState (promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending'
  promise.then(() => { state = 'resolved' }, () => { state = 'rejected' })
  for (let i = 0; i < 20; i++) await Promise.resolve()
  return state
}
