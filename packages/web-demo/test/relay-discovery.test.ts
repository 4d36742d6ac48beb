import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  addressesFromPageUrl,
  BootstrapUnavailableError,
  createInviteLink,
  DISCOVERY_LIMITS,
  fetchBootstrap,
  InvalidBootstrapResponseError,
  parseBootstrapResponse,
  relayAddressesInDialOrder,
  withRelayParam
} from '../src/relay-discovery.js'

const RELAY = 'ws://12D3KooWRelay@127.0.0.1:9090'
const PEER = 'webrtc://12D3KooWTab@relay.example/p2p-circuit'

describe('relay discovery', () => {
  describe('addressesFromPageUrl', () => {
    it('reads repeated relay and peer parameters in order', () => {
      const url = `http://127.0.0.1:8080/?relay=${encodeURIComponent(RELAY)}&peer=${encodeURIComponent(PEER)}&relay=b`
      expect(addressesFromPageUrl(url)).toEqual({ relays: [RELAY, 'b'], peers: [PEER] })
    })

    it('drops empty, duplicate and over-long values', () => {
      const long = 'x'.repeat(DISCOVERY_LIMITS.maxAddressLength + 1)
      const url = new URL('http://127.0.0.1/')
      for (const value of ['', '  ', 'a', 'a', long]) url.searchParams.append('relay', value)
      expect(addressesFromPageUrl(url).relays).toEqual(['a'])
    })

    it('reads at most maxAddressesPerParam values of each parameter', () => {
      const url = new URL('http://127.0.0.1/')
      for (let i = 0; i < 50; i++) url.searchParams.append('peer', `p${i}`)
      expect(addressesFromPageUrl(url).peers).toHaveLength(DISCOVERY_LIMITS.maxAddressesPerParam)
    })

    it('finds nothing in a plain page URL', () => {
      expect(addressesFromPageUrl('http://127.0.0.1:8080/')).toEqual({ relays: [], peers: [] })
    })
  })

  describe('createInviteLink', () => {
    it('round-trips through addressesFromPageUrl', () => {
      const link = createInviteLink('http://127.0.0.1:8080/', { relays: [RELAY], peers: [PEER, `${PEER}/2`] })
      expect(addressesFromPageUrl(link)).toEqual({ relays: [RELAY], peers: [PEER, `${PEER}/2`] })
    })

    it('replaces the relays and peers of the current URL, keeps other parameters, drops the fragment', () => {
      const link = new URL(createInviteLink('http://127.0.0.1:8080/demo/?relay=old&peer=old&theme=dark#log', { relays: [RELAY], peers: [] }))
      expect(link.pathname).toBe('/demo/')
      expect(link.hash).toBe('')
      expect(link.searchParams.get('theme')).toBe('dark')
      expect(link.searchParams.getAll('relay')).toEqual([RELAY])
      expect(link.searchParams.getAll('peer')).toEqual([])
    })
  })

  describe('withRelayParam', () => {
    it('adds a relay once', () => {
      const once = withRelayParam('http://127.0.0.1/', RELAY)
      expect(withRelayParam(once, RELAY)).toBe(once)
      expect(new URL(once).searchParams.getAll('relay')).toEqual([RELAY])
    })
  })

  describe('relayAddressesInDialOrder', () => {
    const ws = 'ws://id@127.0.0.1:4001'
    const wss = 'wss://id@relay.example.org:443'
    const direct = 'webrtc-direct://id@198.19.0.10:4002?certhash=uEiA'
    const tcp = 'tcp://id@127.0.0.1:4003'

    it('tries wss, then ws, then webrtc-direct, then the rest', () => {
      expect(relayAddressesInDialOrder([direct, tcp, ws, wss], 'http:')).toEqual([wss, ws, direct, tcp])
    })

    it('leaves ws:// out of a page served over https (mixed content)', () => {
      expect(relayAddressesInDialOrder([ws, direct, wss], 'https:')).toEqual([wss, direct])
    })

    it('keeps the given order within one scheme', () => {
      const other = 'webrtc-direct://id@127.0.0.1:5000?certhash=uEiB'
      expect(relayAddressesInDialOrder([other, direct], 'http:')).toEqual([other, direct])
    })
  })

  describe('parseBootstrapResponse', () => {
    it('accepts the relay answer and bounds its address list', () => {
      const addresses = Array.from({ length: 40 }, (_, i) => `ws://id@127.0.0.1:${1000 + i}`)
      const info = parseBootstrapResponse({ peerId: '12D3KooWRelay', addresses })
      expect(info.peerId).toBe('12D3KooWRelay')
      expect(info.addresses).toEqual(addresses.slice(0, DISCOVERY_LIMITS.maxBootstrapAddresses))
    })

    it('reads the ICE servers the relay hands out', () => {
      const iceServers = [{ urls: 'stun:198.19.0.10:3478' }, { urls: ['turn:198.19.0.10:3478'], username: '1:peermesh', credential: 'c' }]
      expect(parseBootstrapResponse({ peerId: 'r', addresses: [RELAY], iceServers }).iceServers).toEqual(iceServers)
      expect(parseBootstrapResponse({ peerId: 'r', addresses: [RELAY] }).iceServers).toBeUndefined()
    })

    it('skips addresses that are not strings', () => {
      expect(parseBootstrapResponse({ peerId: 'r', addresses: [1, null, RELAY, { a: 1 }] }).addresses).toEqual([RELAY])
    })

    it.each([
      ['null', null],
      ['an array', [RELAY]],
      ['a string', RELAY],
      ['no peerId', { addresses: [RELAY] }],
      ['an empty peerId', { peerId: '', addresses: [RELAY] }],
      ['no addresses', { peerId: 'r' }],
      ['addresses that is not an array', { peerId: 'r', addresses: RELAY }],
      ['no usable address', { peerId: 'r', addresses: ['', 7] }],
      ['iceServers that are not a list of ICE servers', { peerId: 'r', addresses: [RELAY], iceServers: [{ urls: 'http://x' }] }]
    ])('rejects %s with InvalidBootstrapResponseError', (_label, body) => {
      expect(() => parseBootstrapResponse(body)).toThrow(InvalidBootstrapResponseError)
    })
  })

  describe('fetchBootstrap', () => {
    let server: Server | undefined

    afterEach(async () => {
      const open = server
      server = undefined
      if (open !== undefined) await new Promise<void>((resolve) => { open.close(() => { resolve() }) })
    })

    async function serve (handler: Parameters<typeof createServer>[1]): Promise<string> {
      server = createServer(handler)
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      return `http://127.0.0.1:${port}`
    }

    it('reads the relay description from the origin\'s /api/bootstrap', async () => {
      const origin = await serve((req, res) => {
        if (req.url !== '/api/bootstrap') { res.writeHead(404).end(); return }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ peerId: 'relay', addresses: [RELAY] }))
      })
      await expect(fetchBootstrap({ origin })).resolves.toEqual({ peerId: 'relay', addresses: [RELAY] })
    })

    it('reports an origin without a relay as BootstrapUnavailableError', async () => {
      const origin = await serve((_req, res) => { res.writeHead(404).end('not here') })
      await expect(fetchBootstrap({ origin })).rejects.toBeInstanceOf(BootstrapUnavailableError)
    })

    it('reports a closed port as BootstrapUnavailableError with the cause', async () => {
      const origin = await serve((_req, res) => { res.end() })
      await new Promise<void>((resolve) => server?.close(() => { resolve() }))
      server = undefined
      const err = await fetchBootstrap({ origin }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(BootstrapUnavailableError)
      expect((err as Error).cause).toBeDefined()
    })

    it('gives up on an origin that never answers after timeoutMs', async () => {
      const origin = await serve(() => { /* never answers */ })
      await expect(fetchBootstrap({ origin, timeoutMs: 100 })).rejects.toBeInstanceOf(BootstrapUnavailableError)
      server?.closeAllConnections()
    })

    it('rejects a non-JSON answer', async () => {
      const origin = await serve((_req, res) => { res.writeHead(200).end('<html>') })
      await expect(fetchBootstrap({ origin })).rejects.toBeInstanceOf(InvalidBootstrapResponseError)
    })

    it('rejects an answer larger than maxBootstrapBodyBytes', async () => {
      const origin = await serve((_req, res) => {
        res.writeHead(200).end(JSON.stringify({ peerId: 'r', addresses: [RELAY], pad: 'x'.repeat(DISCOVERY_LIMITS.maxBootstrapBodyBytes) }))
      })
      await expect(fetchBootstrap({ origin })).rejects.toBeInstanceOf(InvalidBootstrapResponseError)
    })
  })
})
