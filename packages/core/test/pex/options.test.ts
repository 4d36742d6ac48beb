import { describe, expect, it } from 'vitest'
import { InvalidPeerExchangeOptionsError } from '../../src/pex/errors.js'
import { createPeerExchangeOptions, defaultPeerExchangeOptions, validatePeerExchangeOptions, type PeerExchangeOptions } from '../../src/pex/options.js'

describe('peer exchange options', () => {
  it('default to CometBFT-like limits: 100 addresses, 32 KiB, 10 minutes when full', () => {
    const options = defaultPeerExchangeOptions()
    expect(options.maxAddressesPerResponse).toBe(100)
    expect(options.maxMessageBytes).toBe(32 * 1024)
    expect(options.fullBookDelayMs).toBe(600_000)
    expect(options.emptyBookDelayMs).toBe(1_000)
    expect(() => { validatePeerExchangeOptions(options) }).not.toThrow()
  })

  it('hand out a fresh copy of the defaults on every call', () => {
    const a = defaultPeerExchangeOptions()
    a.maxAddressesPerResponse = 1
    expect(defaultPeerExchangeOptions().maxAddressesPerResponse).toBe(100)
  })

  it('fill in defaults for the options not given, and ignore unrelated keys', () => {
    const options = createPeerExchangeOptions({ maxAddressesPerResponse: 20, requestTimeoutMs: undefined, ...{ book: {} } } as Partial<PeerExchangeOptions>)
    expect(options.maxAddressesPerResponse).toBe(20)
    expect(options.requestTimeoutMs).toBe(10_000)
    expect(options).not.toHaveProperty('book')
  })

  const invalid: Array<[string, Partial<PeerExchangeOptions>, keyof PeerExchangeOptions]> = [
    ['no addresses per response', { maxAddressesPerResponse: 0 }, 'maxAddressesPerResponse'],
    ['a fractional byte cap', { maxMessageBytes: 1000.5 }, 'maxMessageBytes'],
    ['an address cap above the message cap', { maxMessageBytes: 512, maxAddressBytes: 1024 }, 'maxAddressBytes'],
    ['an invalid-address ratio above 1', { maxInvalidAddressRatio: 1.5 }, 'maxInvalidAddressRatio'],
    ['a zero timeout', { requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    ['a negative minimum interval', { minRequestIntervalMs: -1 }, 'minRequestIntervalMs'],
    ['no inbound streams', { maxInboundStreams: 0 }, 'maxInboundStreams'],
    ['a full-book ratio of 0', { fullBookRatio: 0 }, 'fullBookRatio'],
    ['jitter of 100%', { requestJitterRatio: 1 }, 'requestJitterRatio'],
    ['an empty-book delay above the base delay', { emptyBookDelayMs: 60_000 }, 'emptyBookDelayMs'],
    ['a base delay above the full-book delay', { baseRequestDelayMs: 700_000 }, 'baseRequestDelayMs'],
    ['a minimum interval our own scheduler would break', { minRequestIntervalMs: 950 }, 'minRequestIntervalMs'],
    ['a minimum interval above a short first-request delay', { firstRequestDelayMs: 100 }, 'minRequestIntervalMs']
  ]
  for (const [sentence, partial, option] of invalid) {
    it(`reject ${sentence}, naming the option`, () => {
      let caught: unknown
      try {
        createPeerExchangeOptions(partial)
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(InvalidPeerExchangeOptionsError)
      expect((caught as InvalidPeerExchangeOptionsError).name).toBe('InvalidPeerExchangeOptionsError')
      expect((caught as InvalidPeerExchangeOptionsError).option).toBe(option)
    })
  }

  it('accept a first request at once (0 ms), which no minimum interval applies to', () => {
    expect(createPeerExchangeOptions({ firstRequestDelayMs: 0 }).firstRequestDelayMs).toBe(0)
  })
})
