import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLibp2pNode } from '../../src/libp2p/create-libp2p.node.js'
import { InvalidLibp2pNodeInitError } from '../../src/libp2p/errors.js'
import type { Libp2pNodeInit, Libp2pNodeServices } from '../../src/libp2p/init.js'
import type { ComponentLogger, IdentifyResult, Libp2p } from '@libp2p/interface'
import { recordingLogger } from '../store/fixtures.js'

type Node = Libp2p<Libp2pNodeServices>

describe('createLibp2pNode (Node.js)', () => {
  const started: Node[] = []

  async function startNode (init: Omit<Libp2pNodeInit, 'privateKey'>): Promise<Node> {
    const node = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), iceServers: [], ...init, start: true })
    started.push(node)
    return node
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map(async (node) => { await node.stop() }))
  })

  it('returns a node that is not started unless asked', async () => {
    const node = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), memory: true })
    expect(node.status).toBe('stopped')
    await node.start()
    started.push(node)
    expect(node.status).toBe('started')
  })

  it('connects two nodes over memory, identifies them and pings', async () => {
    const a = await startNode({ memory: true, listen: [] })
    const b = await startNode({ memory: true, listen: [] })
    const memoryAddress = a.getMultiaddrs().find((ma) => ma.toString().startsWith('/memory/'))
    expect(memoryAddress?.toString().startsWith(`/memory/${a.peerId.toString()}`)).toBe(true)

    const identified = new Promise<IdentifyResult>((resolve) => {
      b.addEventListener('peer:identify', (event) => {
        if (event.detail.peerId.equals(a.peerId)) resolve(event.detail)
      })
    })
    const connection = await b.dial(memoryAddress!)
    expect(connection.remotePeer.equals(a.peerId)).toBe(true)
    expect(connection.remoteAddr.toString()).toContain('/memory/')

    const result = await identified
    expect(result.protocols).toEqual(expect.arrayContaining(['/ipfs/ping/1.0.0', '/meshsub/1.1.0']))
    expect(await b.services.ping.ping(a.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('connects a node to a relay over WebSockets on 127.0.0.1 and pings it', async () => {
    const relay = await startNode({ role: 'relay' })
    expect(relay.services.relay).toBeDefined()
    const wsAddress = relay.getMultiaddrs().find((ma) => WebSockets.exactMatch(ma))
    expect(wsAddress?.toString()).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//)

    const member = await startNode({ role: 'node' })
    expect(member.services.relay).toBeUndefined()
    const connection = await member.dial(wsAddress!)
    expect(connection.remoteAddr.toString()).toContain('/ws')
    expect(connection.limits).toBeUndefined()
    expect(await member.services.ping.ping(relay.peerId)).toBeGreaterThanOrEqual(0)
  })

  it('refuses ws:// and private addresses when the policy flags say so', async () => {
    const relay = await startNode({ role: 'relay' })
    const wsAddress = relay.getMultiaddrs()[0]!
    const strict = await startNode({ role: 'node', allowInsecureWebSockets: false, allowPrivateAddresses: true })
    await expect(strict.dial(wsAddress)).rejects.toMatchObject({ name: 'DialDeniedError' })
    const noPrivate = await startNode({ role: 'node', allowInsecureWebSockets: true, allowPrivateAddresses: false })
    await expect(noPrivate.dial(wsAddress)).rejects.toMatchObject({ name: 'DialDeniedError' })
  })

  it('asks the extra connection gater after the address policy', async () => {
    const relay = await startNode({ role: 'relay' })
    const asked: string[] = []
    const member = await startNode({
      role: 'node',
      connectionGater: {
        denyDialMultiaddr: (ma) => { asked.push(ma.toString()); return true }
      }
    })
    await expect(member.dial(relay.getMultiaddrs()[0]!)).rejects.toMatchObject({ name: 'DialDeniedError' })
    expect(asked).toContain(relay.getMultiaddrs()[0]!.toString())
  })

  it('merges extra services next to the built-in ones, typed', async () => {
    const node = await createLibp2pNode({
      privateKey: await generateKeyPair('Ed25519'),
      memory: true,
      listen: [],
      services: { greeter: () => ({ greet: (name: string) => `hello ${name}` }) }
    })
    expect(node.services.greeter.greet('mesh')).toBe('hello mesh')
    expect(Object.keys(node.services).sort()).toEqual(['greeter', 'identify', 'identifyPush', 'ping', 'pubsub'])
  })

  it('runs the relay server on the relay role and holds at most maxReservations', async () => {
    const requests: string[] = []
    const relay = await startNode({
      role: 'relay',
      relayServer: { maxReservations: 2 },
      connectionGater: { denyInboundRelayReservation: (peer) => { requests.push(peer.toString()); return false } }
    })
    const members = [await startNode({ role: 'node' }), await startNode({ role: 'node' }), await startNode({ role: 'node' })]
    await Promise.all(members.map(async (member) => { await member.dial(relay.getMultiaddrs()[0]!) }))
    await vi.waitFor(() => {
      expect(new Set(requests).size).toBe(3)
      expect(relay.services.relay?.reservations.size).toBe(2)
    }, { timeout: 10_000, interval: 20 })
  })

  it.each([
    ['listen', { listen: ['not a multiaddr'] }, 'listen[0]'],
    ['announce', { announce: ['/ip4/1.2.3'] }, 'announce[0]'],
    ['role', { role: 'server' as never }, 'role'],
    ['maxConnections', { maxConnections: 0 }, 'maxConnections'],
    ['dialConcurrency', { dialConcurrency: 1.5 }, 'dialConcurrency'],
    ['relayServer', { role: 'relay' as const, relayServer: { maxReservations: -1 } }, 'relayServer.maxReservations'],
    ['services', { services: { ping: () => ({}) } as never }, 'services.ping'],
    ['logger', { logger: { debug: () => {} } as never }, 'logger']
  ])('rejects a malformed %s option with InvalidLibp2pNodeInitError', async (_name, bad, option) => {
    const init = { privateKey: await generateKeyPair('Ed25519'), ...bad }
    const error = await createLibp2pNode(init).then(() => null, (err: unknown) => err)
    expect(error).toBeInstanceOf(InvalidLibp2pNodeInitError)
    expect(error).toMatchObject({ name: 'InvalidLibp2pNodeInitError', option })
  })

  it('hands libp2p its logger: a service\'s component logger writes into it, and libp2p\'s own errors at debug', async () => {
    const logger = recordingLogger()
    const node = await startNode({
      memory: true,
      listen: [],
      logger,
      services: {
        probe: (components: { logger: ComponentLogger }) => {
          const log = components.logger.forComponent('peermesh:probe')
          log('started with %d peers', 0)
          log.error('a peer misbehaved: %e', new RangeError('too many'))
          return {}
        }
      }
    })
    expect(logger.lines.filter(l => l.fields?.component === 'peermesh:probe')).toEqual([
      { level: 'debug', message: 'started with 0 peers', fields: { component: 'peermesh:probe' } },
      { level: 'warn', message: 'a peer misbehaved: RangeError: too many', fields: { component: 'peermesh:probe' } }
    ])
    // a dial nobody answers: libp2p's dial queue logs its error, at debug, with its component
    await expect(node.dial(multiaddr('/ip4/127.0.0.1/tcp/1/ws'))).rejects.toThrow()
    const dialErrors = logger.lines.filter(l => typeof l.fields?.component === 'string' && (l.fields?.component as string).startsWith('libp2p:connection-manager'))
    expect(dialErrors.length).toBeGreaterThan(0)
    expect(dialErrors.every(l => l.level === 'debug' && l.message.includes('ECONNREFUSED'))).toBe(true)
  })

  it('rejects a missing private key', async () => {
    await expect(createLibp2pNode({} as never)).rejects.toMatchObject({ name: 'InvalidLibp2pNodeInitError', option: 'privateKey' })
  })

  it('keeps the parsed multiaddr of a valid listen address', async () => {
    const node = await startNode({ listen: [multiaddr('/ip4/127.0.0.1/tcp/0/ws').toString()] })
    expect(node.getMultiaddrs().some((ma) => WebSockets.matches(ma))).toBe(true)
  })
})
