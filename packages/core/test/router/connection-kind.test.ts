import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { isEstablished, preferredConnection, selectedPairFromStats, SIMULTANEOUS_DIAL_WINDOW_MS } from '../../src/router/connection-kind.js'
import type { Connection } from '@libp2p/interface'

const SELF = '12D3KooWA1111111111111111111111111111111111111111111'
const REMOTE = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')

interface Shape {
  limited?: boolean
  openedAt?: number
  direction?: 'inbound' | 'outbound'
  /** A WebRTC connection's peer connection state; absent for other transports. */
  pcState?: RTCPeerConnectionState
}

/** The fields `preferredConnection` reads, in the shapes libp2p and @libp2p/webrtc give them. */
function connection (shape: Shape): Connection {
  return {
    remotePeer: REMOTE,
    direction: shape.direction ?? 'outbound',
    limits: shape.limited === true ? { seconds: 120, bytes: 131072n } : undefined,
    timeline: { open: shape.openedAt ?? 1000 },
    ...(shape.pcState != null ? { maConn: { peerConnection: { connectionState: shape.pcState, getStats: async () => new Map() } } } : {})
  } as unknown as Connection
}

describe('preferredConnection', () => {
  it.each(['new', 'connecting', 'failed', 'closed'] as const)('keeps a working relayed link over a WebRTC one that is %s', (pcState) => {
    const relayed = connection({ limited: true })
    const checking = connection({ pcState, openedAt: 2000 })
    expect(preferredConnection(relayed, checking, SELF)).toBe(relayed)
    expect(preferredConnection(checking, relayed, SELF)).toBe(relayed)
  })

  it('prefers a connected WebRTC link over the relayed one', () => {
    const relayed = connection({ limited: true })
    const direct = connection({ pcState: 'connected', openedAt: 2000 })
    expect(preferredConnection(relayed, direct, SELF)).toBe(direct)
    expect(preferredConnection(direct, relayed, SELF)).toBe(direct)
  })

  it('keeps a WebRTC link that had a pair and is briefly disconnected over a new relayed one', () => {
    const relayed = connection({ limited: true, openedAt: 5000 })
    const direct = connection({ pcState: 'disconnected' })
    expect(preferredConnection(relayed, direct, SELF)).toBe(direct)
  })

  it('prefers a connected WebRTC link over one still checking, whichever is newer', () => {
    const connected = connection({ pcState: 'connected', openedAt: 1000 })
    const checking = connection({ pcState: 'connecting', openedAt: 1000 + SIMULTANEOUS_DIAL_WINDOW_MS + 1 })
    expect(preferredConnection(connected, checking, SELF)).toBe(connected)
    expect(preferredConnection(checking, connected, SELF)).toBe(connected)
  })

  it('between two established direct links opened far apart keeps the newer', () => {
    const old = connection({ pcState: 'connected', openedAt: 1000 })
    const fresh = connection({ pcState: 'connected', openedAt: 1000 + SIMULTANEOUS_DIAL_WINDOW_MS + 1 })
    expect(preferredConnection(old, fresh, SELF)).toBe(fresh)
  })
})

describe('isEstablished', () => {
  it('counts every connection without a peer connection, and WebRTC ones once ICE selected a pair', () => {
    expect(isEstablished(connection({}))).toBe(true)
    expect(isEstablished(connection({ limited: true }))).toBe(true)
    expect(isEstablished(connection({ pcState: 'connected' }))).toBe(true)
    expect(isEstablished(connection({ pcState: 'connecting' }))).toBe(false)
  })
})

describe('selectedPairFromStats', () => {
  it('follows the transport\'s selectedCandidatePairId (Chromium)', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['T01', { type: 'transport', selectedCandidatePairId: 'CP2' }],
      ['CP1', { type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'failed' }],
      ['CP2', { type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R2', state: 'succeeded', nominated: true }],
      ['L1', { type: 'local-candidate', candidateType: 'host', protocol: 'udp' }],
      ['R1', { type: 'remote-candidate', candidateType: 'host' }],
      ['L2', { type: 'local-candidate', candidateType: 'relay', protocol: 'udp' }],
      ['R2', { type: 'remote-candidate', candidateType: 'prflx' }]
    ])
    expect(selectedPairFromStats(report)).toEqual({ local: 'relay', remote: 'prflx', protocol: 'udp' })
  })

  it('takes the pair marked selected when no transport names one (Firefox)', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['a', { type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', state: 'in-progress' }],
      ['b', { type: 'candidate-pair', localCandidateId: 'l2', remoteCandidateId: 'r2', state: 'succeeded', selected: true }],
      ['l2', { type: 'local-candidate', candidateType: 'srflx' }],
      ['r2', { type: 'remote-candidate', candidateType: 'srflx' }]
    ])
    expect(selectedPairFromStats(report)).toEqual({ local: 'srflx', remote: 'srflx' })
  })

  it('is undefined while no pair is selected or a candidate type is unknown', () => {
    expect(selectedPairFromStats(new Map([['a', { type: 'candidate-pair', state: 'in-progress' }]]))).toBeUndefined()
    expect(selectedPairFromStats(new Map<string, Record<string, unknown>>([
      ['a', { type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', selected: true }],
      ['l', { candidateType: 'weird' }],
      ['r', { candidateType: 'host' }]
    ]))).toBeUndefined()
  })
})
