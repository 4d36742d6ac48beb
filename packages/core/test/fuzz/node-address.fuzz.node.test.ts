/**
 * Fuzz: NodeAddress parsing from hostile text and hostile multiaddrs. Whatever comes in, the
 * parsers return a NodeAddress that survives its own round trip, or throw InvalidNodeAddressError;
 * the derived views (group, scope, multiaddr) never throw on an address the parser accepted.
 */
import fc from 'fast-check'
import { multiaddr } from '@multiformats/multiaddr'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  addressGroup, InvalidNodeAddressError, isLoopbackAddress, isPrivateAddress, isRelayedAddress,
  MAX_NODE_ADDRESS_LENGTH, nodeAddressFromMultiaddr, parseNodeAddress, type NodeAddress
} from '../../src/address/index.js'
import { createAddressFixtures, type AddressFixtures } from '../address/fixtures.js'
import { anyText, fuzzParameters, fuzzTimeout, heapAfterGc, MAX_HEAP_GROWTH_BYTES, mutatedBytes, mutatedText } from './fuzz-support.js'

let f: AddressFixtures
let valid: string[]
beforeAll(async () => {
  f = await createAddressFixtures(2)
  const [a = '', r = ''] = f.ed25519
  valid = [
    `tcp://${a}@127.0.0.1:4001`, `ws://${a}@192.0.2.7:9090`, `wss://${a}@relay.example.com`,
    `wss://${f.secp256k1}@[2001:db8::1]:443`, `memory://${a}@node-1`,
    `webrtc-direct://${a}@192.0.2.1:4002?certhash=${f.certhash}`,
    `webrtc+webrtc-direct://${a}@192.0.2.1:4002/via/${r}?certhash=${f.certhash}`,
    `circuit+ws://${a}@127.0.0.1:9090/via/${r}`, `webrtc+wss://${f.rsa}@relay.example.com/via/${r}`
  ]
  for (const text of valid) parseNodeAddress(text) // the seeds themselves are valid
})

/** What must hold for every address a parser accepted. */
function checkAccepted (a: NodeAddress): void {
  const text = a.toString()
  expect(text.length).toBeLessThanOrEqual(MAX_NODE_ADDRESS_LENGTH)
  expect(parseNodeAddress(text).equals(a)).toBe(true)
  expect(nodeAddressFromMultiaddr(a.toMultiaddr()).equals(a)).toBe(true)
  addressGroup(a)
  isLoopbackAddress(a)
  isPrivateAddress(a)
  isRelayedAddress(a)
}

/** Inputs accepted and refused in the current property (the premise: both paths are reached). */
const outcomes = { accepted: 0, refused: 0 }

function parseOrNamedError (parse: () => NodeAddress): void {
  let a: NodeAddress
  try {
    a = parse()
  } catch (err) {
    if (!(err instanceof InvalidNodeAddressError)) throw err
    expect(err.name).toBe('InvalidNodeAddressError')
    outcomes.refused++
    return
  }
  outcomes.accepted++
  checkAccepted(a)
}

beforeEach(() => { outcomes.accepted = 0; outcomes.refused = 0 })

describe('fuzz › NodeAddress', () => {
  it('parseNodeAddress: arbitrary text gives an address or InvalidNodeAddressError', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(anyText, text => { parseOrNamedError(() => parseNodeAddress(text)) }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
  }, fuzzTimeout(2_000))

  it('parseNodeAddress: valid addresses with random edits give an address or InvalidNodeAddressError', () => {
    const before = heapAfterGc()
    fc.assert(fc.property(mutatedText(fc.constantFrom(...valid)), text => { parseOrNamedError(() => parseNodeAddress(text)) }), fuzzParameters())
    expect(heapAfterGc() - before).toBeLessThan(MAX_HEAP_GROWTH_BYTES)
    expect(outcomes.accepted).toBeGreaterThan(0)
    expect(outcomes.refused).toBeGreaterThan(0)
  }, fuzzTimeout(5_000))

  it('nodeAddressFromMultiaddr: multiaddr text with random edits gives an address or InvalidNodeAddressError', () => {
    const seeds = fc.constantFrom(...valid).map(text => parseNodeAddress(text).toMultiaddr().toString())
    fc.assert(fc.property(mutatedText(seeds), text => { parseOrNamedError(() => nodeAddressFromMultiaddr(text)) }), fuzzParameters())
    expect(outcomes.accepted).toBeGreaterThan(0)
    expect(outcomes.refused).toBeGreaterThan(0)
  }, fuzzTimeout(5_000))

  it('nodeAddressFromMultiaddr: multiaddrs decoded from mutated bytes give an address or InvalidNodeAddressError', () => {
    const seeds = fc.constantFrom(...valid).map(text => parseNodeAddress(text).toMultiaddr().bytes)
    fc.assert(fc.property(mutatedBytes(seeds), bytes => {
      let ma
      try {
        ma = multiaddr(bytes) // libp2p's own decoder: its errors are not ours to judge
      } catch {
        return
      }
      parseOrNamedError(() => nodeAddressFromMultiaddr(ma))
    }), fuzzParameters())
    expect(outcomes.accepted + outcomes.refused).toBeGreaterThan(0)
  }, fuzzTimeout(5_000))
})
