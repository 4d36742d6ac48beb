/**
 * What an operator reads on stderr: a failed dial names its error and its cause (it used to read
 * `"error":"[object Object]"`: the WebSocket transport threw its 'error' event, not an Error), and
 * a peer that speaks peer exchange badly shows up at the default level: a warning per penalty
 * (peer exchange is a libp2p service; its lines reach stderr through core's component-logger
 * adapter), then its ban.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createLibp2pNode, PEX_PROTOCOL } from '@peermesh/core'
import { RELAY_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const STATE_DEADLINE = { timeout: 30_000, interval: 100 }

describe('the relay\'s log', () => {
  let relay: RelayProcess | undefined
  let dir: Awaited<ReturnType<typeof tempDataDir>> | undefined
  const nodes: Array<{ stop: () => void | Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await relay?.dispose()
    relay = undefined
    await dir?.remove()
    dir = undefined
  })
  afterAll(async () => {
    await relay?.dispose()
    await dir?.remove()
  })

  it('names the error of a failed dial, with its cause', async () => {
    dir = await tempDataDir()
    // a bootstrap address nobody listens on (port 1 on loopback refuses at once)
    relay = await startRelayProcess([...RELAY_FLAGS, '--log-level', 'debug', '--data-dir', dir.path, '--bootstrap', 'ws://12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN@127.0.0.1:1'])
    await expect.poll(() => relay!.logs().filter(e => e.msg === 'dial failed' && e.error != null).length, STATE_DEADLINE).toBeGreaterThan(0)
    const failure = relay.logs().find(e => e.msg === 'dial failed' && e.error != null)
    expect(failure?.error).not.toContain('[object Object]')
    expect(failure?.error).toMatch(/^ConnectionFailedError: Could not connect to ws:\/\/127\.0\.0\.1:1.*; cause: Error: connect ECONNREFUSED 127\.0\.0\.1:1/)
  })

  it('shows, at the default level, each peer-exchange penalty of a hostile peer as a warning, then its ban', async () => {
    dir = await tempDataDir()
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dir.path])
    const ws = relay.ready.multiaddrs.find(ma => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//.test(ma))
    expect(ws, 'the relay listens on a loopback WebSocket').toBeDefined()
    const hostile = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), role: 'node', listen: [], iceServers: [], start: true })
    nodes.push(hostile)
    const hostileId = hostile.peerId.toString()

    const penalties = (): Array<Record<string, unknown>> => relay!.logs().filter(e => typeof e.msg === 'string' && e.msg.startsWith(`penalising ${hostileId}`))
    const ban = (): Record<string, unknown> | undefined => relay!.logs().find(e => e.msg === 'peer banned' && e.peerId === hostileId)
    // undecodable peer-exchange requests, each sent once the previous one was penalised
    for (let sent = 0; ban() === undefined; sent++) {
      // 100 points ban; points decay a little while we send, so the eleventh penalty may be the one
      expect(sent, 'banned by the eleventh 10-point penalty').toBeLessThan(11)
      const stream = await hostile.dialProtocol(multiaddr(ws!), PEX_PROTOCOL)
      try {
        stream.send(Uint8Array.of(0x02, 0xff, 0xff))
        await stream.close()
      } catch {
        // asking again this soon is refused (and penalised) before the relay reads a byte
      }
      await expect.poll(() => penalties().length > sent || ban() !== undefined, STATE_DEADLINE).toBe(true)
    }

    expect(penalties()[0]).toMatchObject({ level: 'warn', component: 'peermesh:pex' })
    expect(penalties()[0]?.msg).toMatch(/^penalising \S+ with 10 points \(pex\/invalid-message\): /)
    expect(penalties().every(e => e.level === 'warn' && e.component === 'peermesh:pex')).toBe(true)
    expect(ban()).toMatchObject({ level: 'info', reason: expect.stringMatching(/^pex\//) })
    // readable at the default level: nothing below info, nothing from libp2p's own components
    expect(relay.logs().filter(e => e.level === 'debug')).toEqual([])
    expect(relay.logs().filter(e => typeof e.component === 'string' && !e.component.startsWith('peermesh:'))).toEqual([])
  })
})
