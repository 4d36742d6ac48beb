/** Records and helpers shared by the peer store tests. */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Logger } from '../../src/logger.js'
import type { PeerRecord } from '../../src/store/peer-store.js'

/** A fresh, valid Ed25519 PeerId string. */
export async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

/** `count` distinct PeerId strings. */
export async function newPeerIds (count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, async () => newPeerId()))
}

/** A valid record for `peerId`, with `overrides` applied. */
export function peerRecord (peerId: string, overrides: Partial<PeerRecord> = {}): PeerRecord {
  return {
    v: 1,
    peerId,
    addresses: [
      {
        url: `ws://127.0.0.1:4001/p2p/${peerId}`,
        source: 'verified',
        dialFailures: 0,
        lastDialFailureAt: 0,
        lastConnectedAt: 1_763_683_200_000
      },
      {
        url: `webrtc:${peerId}`,
        source: 'gossip',
        dialFailures: 3,
        lastDialFailureAt: 1_763_683_260_000,
        lastConnectedAt: 0
      }
    ],
    score: 2,
    misbehaviour: 0.5,
    misbehaviourAt: 1_763_683_100_000,
    bannedUntil: 0,
    inactive: false,
    lastSeenAt: 1_763_683_300_000,
    ...overrides
  }
}

export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
}

/** A Logger that remembers what it was told. */
export function recordingLogger (): Logger & { lines: LoggedLine[], warnings: () => LoggedLine[] } {
  const lines: LoggedLine[] = []
  const at = (level: LoggedLine['level']) => (message: string, fields?: Record<string, unknown>): void => {
    lines.push(fields === undefined ? { level, message } : { level, message, fields })
  }
  return {
    lines,
    warnings: () => lines.filter(line => line.level === 'warn'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error')
  }
}

/** Sorts records by PeerId so that loads compare independently of adapter order. */
export function byPeerId (records: PeerRecord[]): PeerRecord[] {
  return [...records].sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
}
