import { createServer, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { installNodeShims } from '../../src/shims/node.js'

describe('Node shims', () => {
  it('provide Promise.withResolvers that settles the returned promise', async () => {
    const { promise, resolve } = Promise.withResolvers<number>()
    resolve(42)
    await expect(promise).resolves.toBe(42)
    const rejected = Promise.withResolvers<number>()
    rejected.reject(new RangeError('boom'))
    await expect(rejected.promise).rejects.toBeInstanceOf(RangeError)
  })

  it('provide a global WebSocket constructor', () => {
    expect(typeof globalThis.WebSocket).toBe('function')
    expect(globalThis.WebSocket.OPEN).toBe(1)
  })

  it('are idempotent: a second install changes nothing', () => {
    const withResolvers = Promise.withResolvers
    const webSocket = globalThis.WebSocket
    expect(installNodeShims()).toEqual({ promiseWithResolvers: false, webSocket: false })
    expect(Promise.withResolvers).toBe(withResolvers)
    expect(globalThis.WebSocket).toBe(webSocket)
  })

  it('give a WebSocket whose error without a listener does not throw (a relay resetting a dial it refused)', async () => {
    const sockets: Socket[] = []
    const server = createServer(socket => {
      sockets.push(socket)
      socket.resetAndDestroy()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown): void => { uncaught.push(err) }
    process.on('uncaughtException', onUncaught)
    try {
      const ws = new globalThis.WebSocket(`ws://127.0.0.1:${port}`)
      // no error listener at all, as after @libp2p/websockets gave up an aborted dial
      const closed = await new Promise<CloseEvent>(resolve => ws.addEventListener('close', resolve))
      expect(closed.code).toBe(1006)
      expect(sockets.length).toBe(1)
      expect(uncaught).toEqual([])
    } finally {
      process.off('uncaughtException', onUncaught)
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  })
})
