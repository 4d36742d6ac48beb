// Runs in real Chromium: the bootstrap cache in the real localStorage.
import { afterEach, describe, expect, it } from 'vitest'
import { BOOTSTRAP_CACHE_KEY, readCachedBootstrap, writeCachedBootstrap } from '../src/relay-discovery.js'

const RELAY = 'ws://12D3KooWRelay@127.0.0.1:9090'

describe('bootstrap cache (Chromium)', () => {
  afterEach(() => { localStorage.clear() })

  it('gives back the last answer of the origin', () => {
    writeCachedBootstrap(localStorage, { peerId: 'relay', addresses: [RELAY] })
    expect(readCachedBootstrap(localStorage)).toEqual({ peerId: 'relay', addresses: [RELAY] })
  })

  it('is empty before any answer', () => {
    expect(readCachedBootstrap(localStorage)).toBeUndefined()
  })

  it.each([
    ['not JSON', '{'],
    ['the wrong shape', JSON.stringify({ peerId: 'relay', addresses: 'x' })],
    ['too large', JSON.stringify({ peerId: 'relay', addresses: [RELAY], pad: 'x'.repeat(70_000) })]
  ])('drops a cached value that is %s', (_label, value) => {
    localStorage.setItem(BOOTSTRAP_CACHE_KEY, value)
    expect(readCachedBootstrap(localStorage)).toBeUndefined()
    expect(localStorage.getItem(BOOTSTRAP_CACHE_KEY)).toBeNull()
  })
})
