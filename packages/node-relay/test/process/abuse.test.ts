/**
 * The relay process under abuse, with real sockets on loopback: idle and slow HTTP clients, huge
 * requests, WebSocket sockets that never speak. Through each, an honest client's /healthz answers
 * and an honest libp2p node (a `--role peer` process) joins.
 */
import { connect, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { HTTP_CONNECTION_LIMITS } from '../../src/http/server.js'
import { destroyAll, openCount, silentSockets, silentSocketsFromMany, timedGet, trickle, upgradedSilentSocket } from '../../bench/abuse-sockets.mjs'
import { RELAY_FLAGS, TEST_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const STATE_DEADLINE = { timeout: 30_000, interval: 100 }

describe('a relay under abuse', () => {
  const dirs: Array<Awaited<ReturnType<typeof tempDataDir>>> = []
  const held: Socket[] = []
  const peers: RelayProcess[] = []
  let relay: RelayProcess
  let httpPort: number
  let wsPort: number

  beforeAll(async () => {
    const dir = await tempDataDir()
    dirs.push(dir)
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dir.path])
    httpPort = Number(new URL(relay.http).port)
    const ws = relay.ready.multiaddrs.find(ma => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws/.test(ma)) ?? ''
    wsPort = Number(ws.split('/')[4])
    expect(wsPort).toBeGreaterThan(0)
  })

  afterEach(async () => {
    destroyAll(held.splice(0))
    await Promise.all(peers.splice(0).map(async p => { await p.dispose() }))
  })

  afterAll(async () => {
    await relay?.dispose()
    await Promise.all(dirs.map(async d => { await d.remove() }))
  })

  /** Starts a `--role peer` process bootstrapped from the relay and waits until the relay lists it connected. */
  async function honestPeerJoins (): Promise<void> {
    const dir = await tempDataDir()
    dirs.push(dir)
    const peer = await startRelayProcess(['--role', 'peer', ...TEST_FLAGS, '--data-dir', dir.path, '--bootstrap', relay.ready.addresses[0] ?? ''])
    peers.push(peer)
    await expect.poll(async () => {
      const { peers: list } = await relay.getJson<{ peers: PeerView[] }>('/api/peers')
      return list.find(p => p.peerId === peer.ready.peerId)?.state
    }, STATE_DEADLINE).toBe('connected')
  }

  describe('HTTP', () => {
    it('answers /healthz while 1,100 idle sockets from 40 addresses are open (the oldest idle ones make room)', async () => {
      held.push(...await silentSocketsFromMany(httpPort, 40, 28))
      // the premise: the server holds as many idle sockets as it allows
      await expect.poll(() => openCount(held), STATE_DEADLINE).toBe(HTTP_CONNECTION_LIMITS.maxConnections)
      for (let i = 0; i < 5; i++) {
        const { status } = await timedGet(`${relay.http}/healthz`)
        expect(status).toBe(200)
      }
    })

    it('keeps at most 32 sockets from one address', async () => {
      held.push(...await silentSockets(httpPort, 40, '127.0.0.3'))
      await expect.poll(() => openCount(held), STATE_DEADLINE).toBe(HTTP_CONNECTION_LIMITS.maxConnectionsPerAddress)
      expect((await timedGet(`${relay.http}/healthz`)).status).toBe(200)
    })

    it('closes a socket that sends nothing, and one that trickles its headers, after the header timeout', async () => {
      held.push(...await silentSockets(httpPort, 1, '127.0.0.6'))
      const startedAt = performance.now()
      const headers = 'GET /healthz HTTP/1.1\r\nHost: relay\r\n' + 'X-Slow: 1\r\n'.repeat(200)
      const trickledMs = await trickle(httpPort, headers, 200, 3 * HTTP_CONNECTION_LIMITS.headersTimeoutMs)
      expect(trickledMs).toBeGreaterThanOrEqual(HTTP_CONNECTION_LIMITS.headersTimeoutMs - 500)
      await expect.poll(() => openCount(held), STATE_DEADLINE).toBe(0)
      expect(performance.now() - startedAt).toBeLessThan(3 * HTTP_CONNECTION_LIMITS.headersTimeoutMs)
    })

    /** Opens a socket, lets `write` use it, and resolves with everything read until the server closes it. */
    async function answerTo (write: (socket: Socket) => void): Promise<string> {
      return await new Promise<string>(resolve => {
        const socket = connect({ host: '127.0.0.1', port: httpPort })
        let text = ''
        socket.on('error', () => {})
        socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
        socket.once('close', () => { resolve(text) })
        write(socket)
      })
    }

    it('refuses a request with a huge body without reading it, and closes the socket', async () => {
      const answer = await answerTo(socket => {
        socket.write('POST /healthz HTTP/1.1\r\nHost: relay\r\nContent-Length: 1000000000\r\n\r\n')
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        const pump = (): void => { while (!socket.destroyed && socket.write(chunk)); }
        socket.on('drain', pump)
        pump()
      })
      expect(answer).toMatch(/^HTTP\/1\.1 413 /)
    })

    it('refuses headers over 16 KiB', async () => {
      const answer = await answerTo(socket => { socket.write(`GET /healthz HTTP/1.1\r\nHost: relay\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`) })
      expect(answer).toMatch(/^HTTP\/1\.1 (400|431) /)
    })
  })

  describe('WebSocket', () => {
    it('closes 50 sockets that never send a byte, and an honest node joins meanwhile', async () => {
      held.push(...await silentSockets(wsPort, 50, '127.0.0.4'))
      expect(openCount(held)).toBe(50) // the premise: all were accepted
      await honestPeerJoins()
      await expect.poll(() => openCount(held), STATE_DEADLINE).toBe(0)
    })

    it('lets an honest node join while one address keeps opening WebSockets that never speak', async () => {
      let attempts = 0
      let upgraded = 0
      let stop = false
      const attacker = (async () => {
        while (!stop) {
          const open = held.filter(s => !s.destroyed && s.readyState === 'open').length
          if (open >= 30) {
            await new Promise(resolve => setImmediate(resolve))
            continue
          }
          attempts++
          const result = await upgradedSilentSocket(wsPort, '127.0.0.5')
          if (result.upgraded) upgraded++
          held.push(result.socket)
        }
      })()
      try {
        // the premise: the attacker's WebSockets are being accepted and held
        await expect.poll(() => upgraded, STATE_DEADLINE).toBeGreaterThanOrEqual(10)
        await honestPeerJoins()
      } finally {
        stop = true
        await attacker
      }
      expect(attempts).toBeGreaterThan(30)
      expect((await timedGet(`${relay.http}/healthz`)).status).toBe(200)
    })
  })
})
