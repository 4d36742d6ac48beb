/**
 * The relay's TURN credentials against a real coturn (Debian's `coturn` package) on loopback,
 * configured as docs/DEPLOYMENT.md says (`use-auth-secret`, `static-auth-secret`): two real
 * libp2p members asking for relayed candidates only (`iceTransportPolicy: 'relay'`) get TURN
 * allocations from coturn with credentials made by `iceServersWithCredentials` (coturn logs the
 * ALLOCATE as a success for that username) and link over WebRTC; with credentials made from
 * another secret coturn refuses them (401) and they do not link. On one machine libjuice may still
 * pair the server-reflexive candidate it learns from coturn (loopback), so which pair ICE selects
 * is not asserted here; the NAT lab shows TURN-relayed links behind symmetric NATs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { WebRTC, WebSockets } from '@multiformats/multiaddr-matcher'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibp2pNode, selectedCandidatePair } from '@peermesh/core'
import { iceServersWithCredentials } from '../../src/ice/turn-credentials.js'

const SECRET = 'lab-static-auth-secret'

async function freeUdpPort (): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>(resolve => socket.close(() => { resolve() }))
  return port
}

/** Resolves once a STUN Binding request to 127.0.0.1:port gets any answer (sent every 100 ms). */
async function answersStun (port: number, timeoutMs: number): Promise<void> {
  const socket = createSocket('udp4')
  const request = Buffer.alloc(20)
  request.writeUInt16BE(0x0001, 0) // Binding request, no attributes
  request.writeUInt32BE(0x2112a442, 4) // magic cookie
  for (let i = 8; i < 20; i++) request[i] = Math.floor(Math.random() * 256)
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => { reject(new Error(`no STUN answer from 127.0.0.1:${port} within ${timeoutMs} ms`)) }, timeoutMs)
      const send = (): void => { socket.send(request, port, '127.0.0.1') }
      const again = setInterval(send, 100)
      socket.on('message', () => { clearTimeout(deadline); clearInterval(again); resolve() })
      send()
    })
  } finally {
    socket.close()
  }
}

describe('TURN credentials from --turn-secret against a real coturn', () => {
  let dir: string
  let coturn: ChildProcess
  let turnUrl: string
  const log: string[] = []
  const nodes: Array<Awaited<ReturnType<typeof createLibp2pNode>>> = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peermesh-coturn-'))
    const port = await freeUdpPort()
    turnUrl = `turn:127.0.0.1:${port}?transport=udp`
    const config = join(dir, 'turnserver.conf')
    await writeFile(config, [
      'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', `listening-port=${port}`,
      'use-auth-secret', `static-auth-secret=${SECRET}`, 'realm=peermesh.test',
      'fingerprint', 'no-tls', 'no-dtls', 'no-tcp', 'no-cli', 'allow-loopback-peers',
      `pidfile=${join(dir, 'turnserver.pid')}`, `userdb=${join(dir, 'turndb')}`, 'log-file=stdout', 'simple-log', 'verbose'
    ].join('\n') + '\n')
    coturn = spawn('turnserver', ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: coturn.stdout! }).on('line', line => { log.push(line) })
    const exited = new Promise<never>((_resolve, reject) => {
      coturn.once('exit', code => { reject(new Error(`coturn exited (${String(code)}):\n${log.join('\n')}`)) })
    })
    await Promise.race([answersStun(port, 15_000), exited])
  })
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map(async node => { await node.stop() }))
    if (coturn != null && coturn.exitCode == null) {
      const exited = new Promise(resolve => coturn.once('exit', resolve))
      coturn.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })

  async function relayOnlyMembers (secret: string): Promise<{ dialer: typeof nodes[number], answerer: typeof nodes[number] }> {
    const relay = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), role: 'relay', iceServers: [], start: true })
    nodes.push(relay)
    const relayAddress = relay.getMultiaddrs().find(ma => WebSockets.exactMatch(ma))!
    const member = async (): Promise<typeof nodes[number]> => {
      const node = await createLibp2pNode({
        privateKey: await generateKeyPair('Ed25519'),
        role: 'node',
        iceTransportPolicy: 'relay',
        iceServers: () => iceServersWithCredentials([{ urls: turnUrl }], { secret, ttlSeconds: 600 }, Date.now()),
        start: true
      })
      nodes.push(node)
      await node.dial(relayAddress)
      await expect.poll(() => node.getMultiaddrs().some(ma => WebRTC.exactMatch(ma)), { timeout: 10_000 }).toBe(true)
      return node
    }
    return { dialer: await member(), answerer: await member() }
  }

  /** coturn's log lines about our users (`<expiry>:peermesh`) since `from`: `ok` or `401` each. */
  const allocations = (from: number): string[] => log.slice(from).flatMap(line => {
    if (!/user <[0-9]+:peermesh>/.test(line)) return []
    if (/ALLOCATE processed, success/.test(line)) return ['ok']
    if (/error 401/.test(line)) return ['401']
    return []
  })

  it('gets TURN allocations from coturn with the credentials, and links the members over WebRTC', async () => {
    const from = log.length
    const { dialer, answerer } = await relayOnlyMembers(SECRET)
    const target = answerer.getMultiaddrs().find(ma => WebRTC.exactMatch(ma))!
    const connection = await dialer.dial(target, { signal: AbortSignal.timeout(20_000) })
    expect(connection.limits).toBeUndefined()
    expect(await selectedCandidatePair(connection)).toBeDefined()
    expect(await dialer.services.ping.ping(answerer.peerId)).toBeGreaterThanOrEqual(0)
    await expect.poll(() => allocations(from).filter(a => a === 'ok').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2)
  }, 60_000)

  it('is refused by coturn with credentials made from another secret, and the members do not link', async () => {
    const from = log.length
    const { dialer, answerer } = await relayOnlyMembers('not-the-secret')
    const target = answerer.getMultiaddrs().find(ma => WebRTC.exactMatch(ma))!
    await expect(dialer.dial(target, { signal: AbortSignal.timeout(6_000) }).then(() => 'connected')).rejects.toThrow()
    expect(allocations(from)).toContain('401')
    expect(allocations(from)).not.toContain('ok')
  }, 60_000)
})
