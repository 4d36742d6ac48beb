import { describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { countPeers, createDialFailureCounter, formatRtt, formatSince, sortPeerViews, toPeerRow } from '../src/peer-table.js'

const NOW = 1_700_000_000_000

function view (peerId: string, state: PeerView['state'], extra: Partial<PeerView> = {}): PeerView {
  return { peerId, state, addresses: [], score: 0, ...extra }
}

describe('peer table', () => {
  describe('toPeerRow', () => {
    it('says why a peer has no direct link after its direct WebRTC dial failed, naming the missing TURN server', () => {
      const failure = { at: NOW - 1000, error: 'DialTimeoutError: dial timed out' }
      const noTurn = toPeerRow(view('p', 'dialing', { directFailure: failure }), NOW, undefined, { turn: false })
      expect(noTurn.directFailure).toMatch(/^no direct link: WebRTC found no working path and no TURN server is configured/)
      expect(noTurn.directFailure).toContain('--turn-secret')
      expect(noTurn.directFailure).toContain('DialTimeoutError')
      const withTurn = toPeerRow(view('p', 'connected', { transport: 'circuit', directFailure: failure }), NOW, undefined, { turn: true })
      expect(withTurn.directFailure).toMatch(/TURN included; still reached through the relay/)
      // a direct link that came up since wins over an older failure
      expect(toPeerRow(view('p', 'connected', { transport: 'webrtc', directFailure: failure }), NOW, undefined, { turn: false }).directFailure).toBeUndefined()
      expect(toPeerRow(view('p', 'dialing'), NOW, undefined, { turn: false }).directFailure).toBeUndefined()
    })

    it('shows the ICE candidate pair of a direct WebRTC link, and says when it goes through TURN', () => {
      const direct = toPeerRow(view('p', 'connected', { transport: 'webrtc' }), NOW, { local: 'srflx', remote: 'srflx' })
      expect(direct.transportLabel).toBe('webrtc · srflx ↔ srflx')
      expect(direct.candidates).toEqual({ local: 'srflx', remote: 'srflx' })
      const turn = toPeerRow(view('p', 'connected', { transport: 'webrtc' }), NOW, { local: 'relay', remote: 'prflx' })
      expect(turn.transportLabel).toBe('webrtc · relay ↔ prflx (TURN)')
    })

    it('shows no candidate pair for a link that is not WebRTC or not connected', () => {
      expect(toPeerRow(view('p', 'connected', { transport: 'circuit' }), NOW, { local: 'host', remote: 'host' }).candidates).toBeUndefined()
      expect(toPeerRow(view('p', 'dialing'), NOW, { local: 'host', remote: 'host' }).transportLabel).toBe('—')
    })

    it('shows a connected peer with its transport, direction, RTT and age', () => {
      const row = toPeerRow(view('12D3KooWabcdefabcdef123456', 'connected', {
        addresses: ['webrtc://a', 'ws://b'],
        transport: 'webrtc',
        direction: 'outbound',
        score: 3,
        rttMs: 42.4,
        connectedSince: NOW - 125_000
      }), NOW)
      expect(row).toEqual({
        peerId: '12D3KooWabcdefabcdef123456',
        shortId: '…123456',
        address: 'webrtc://a',
        addressesTitle: 'webrtc://a\nws://b',
        state: 'connected',
        stateLabel: 'connected',
        transport: 'webrtc',
        transportLabel: 'webrtc',
        direction: 'outbound',
        score: '3',
        rtt: '42 ms',
        since: '2 min'
      })
    })

    it('leaves transport and direction out for a peer that is only known', () => {
      const row = toPeerRow(view('p', 'known'), NOW)
      expect(row.transport).toBeUndefined()
      expect(row.direction).toBeUndefined()
      expect(row.address).toBe('p')
      expect(row.since).toBe('—')
    })

    it('maps webrtc-direct to the webrtc hook value and keeps the exact name in the label', () => {
      const row = toPeerRow(view('p', 'connected', { transport: 'webrtc-direct' }), NOW)
      expect(row.transport).toBe('webrtc')
      expect(row.transportLabel).toBe('webrtc-direct')
    })

    it('shows inactive peers with the banned hook value', () => {
      expect(toPeerRow(view('p', 'inactive'), NOW)).toMatchObject({ state: 'banned', stateLabel: 'inactive' })
    })

    it('says how long a backoff still lasts', () => {
      expect(toPeerRow(view('p', 'backoff', { until: NOW + 4200 }), NOW).stateLabel).toBe('backing off (5 s)')
    })
  })

  describe('formatRtt', () => {
    it.each([
      [undefined, '—'],
      [Number.NaN, '—'],
      [-1, '—'],
      [0.84, '0.8 ms'],
      [12.6, '13 ms'],
      [1530, '1.5 s']
    ])('formats %s as %s', (rtt, text) => {
      expect(formatRtt(rtt)).toBe(text)
    })
  })

  describe('formatSince', () => {
    it.each([
      [NOW, '0 s'],
      [NOW + 5000, '0 s'],
      [NOW - 59_999, '59 s'],
      [NOW - 60_000, '1 min'],
      [NOW - 7_300_000, '2 h']
    ])('formats a connection opened at %s as %s', (since, text) => {
      expect(formatSince(since, NOW)).toBe(text)
    })
  })

  describe('sortPeerViews', () => {
    it('lists connected peers first, then by score, then by peer ID', () => {
      const sorted = sortPeerViews([
        view('d', 'known', { score: 9 }),
        view('c', 'connected', { score: 1 }),
        view('b', 'connected', { score: 1 }),
        view('a', 'connected', { score: 5 }),
        view('e', 'banned'),
        view('f', 'dialing')
      ])
      expect(sorted.map((v) => v.peerId)).toEqual(['a', 'b', 'c', 'f', 'd', 'e'])
    })
  })

  describe('countPeers', () => {
    it('counts connected and known peers', () => {
      expect(countPeers([view('a', 'connected'), view('b', 'dialing'), view('c', 'known')])).toEqual({ connected: 1, known: 3 })
    })
  })

  describe('DialFailureCounter', () => {
    it('counts a dial that ends in backoff, banned or known as failed', () => {
      const counter = createDialFailureCounter()
      counter.observe([view('a', 'dialing'), view('b', 'dialing'), view('c', 'dialing')])
      expect(counter.observe([view('a', 'backoff'), view('b', 'banned'), view('c', 'known')])).toBe(3)
      expect(counter.total()).toBe(3)
    })

    it('does not count a dial that connected, one still dialing, or a peer that vanished', () => {
      const counter = createDialFailureCounter()
      counter.observe([view('a', 'dialing'), view('b', 'dialing'), view('c', 'dialing')])
      expect(counter.observe([view('a', 'connected'), view('b', 'dialing')])).toBe(0)
      expect(counter.total()).toBe(0)
    })

    it('counts each failed attempt of a peer that keeps retrying', () => {
      const counter = createDialFailureCounter()
      for (let i = 0; i < 3; i++) {
        counter.observe([view('a', 'dialing')])
        counter.observe([view('a', 'backoff')])
      }
      expect(counter.total()).toBe(3)
    })
  })
})
