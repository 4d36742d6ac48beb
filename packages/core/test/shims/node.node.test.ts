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
})
