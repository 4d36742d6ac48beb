import type { Multiaddr } from '@multiformats/multiaddr'
import { AddressReason, InvalidNodeAddressError } from './errors.js'
import { parseNodeAddressMultiaddr } from './multiaddr.js'
import { MAX_NODE_ADDRESS_LENGTH, type NodeAddress } from './node-address.js'
import { parseNodeAddressUrl } from './url.js'

// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\x00-\x1f\x7f]/

/**
 * Parses a node address written as a URL (`tcp://<peerId>@<host>:<port>`, see docs/PROTOCOL.md)
 * or as a multiaddr string (anything starting with `/`) and returns it in canonical form.
 *
 * @throws {InvalidNodeAddressError} for anything that is not a valid, dialable address; it never
 * throws anything else, whatever the input.
 *
 * @example
 * ```ts
 * parseNodeAddress('TCP://12D3KooW…@Example.COM:4001').toString()
 * // 'tcp://12D3KooW…@example.com:4001'
 * parseNodeAddress('/dns4/example.com/tcp/443/wss/p2p/12D3KooW…').toString()
 * // 'wss://12D3KooW…@example.com'
 * ```
 */
export function parseNodeAddress (text: string): NodeAddress {
  const known = typeof text === 'string' ? parsedCache.get(text) : undefined
  if (known !== undefined) return known
  const address = guard(text, () => {
    if (typeof text !== 'string') throw new AddressReason(`expected a string, got ${text === null ? 'null' : typeof text}`)
    checkText(text)
    if (text.startsWith('//')) throw new AddressReason('missing scheme (expected <scheme>://<peerId>@<host>…, or a multiaddr)')
    return text.startsWith('/') ? parseNodeAddressMultiaddr(text) : parseNodeAddressUrl(text)
  })
  if (parsedCache.size >= parsedCacheSize) {
    const oldest = parsedCache.keys().next()
    if (oldest.done !== true) parsedCache.delete(oldest.value)
  }
  parsedCache.set(text, address)
  return address
}

/**
 * The same address texts come back again and again (every peer-exchange answer, identify, the
 * store), and a NodeAddress is immutable (frozen), so valid parses are remembered: text → address,
 * at most this many, oldest forgotten first. Invalid texts are never cached.
 */
const PARSED_CACHE_SIZE = 2048
let parsedCacheSize = PARSED_CACHE_SIZE
const parsedCache = new Map<string, NodeAddress>()

/**
 * Lets the parse cache hold at least `size` texts (never fewer than 2048): for a process hosting
 * many nodes at once, such as the mesh simulator, whose nodes share this module. A cache only:
 * what {@link parseNodeAddress} returns or throws does not change.
 */
export function reserveNodeAddressCache (size: number): void {
  if (Number.isSafeInteger(size) && size > parsedCacheSize) parsedCacheSize = size
}

/**
 * Reads a node address from a multiaddr (a `Multiaddr` or its string), which must end in
 * `/p2p/<peerId>`. The inverse of `NodeAddress.toMultiaddr()`.
 *
 * @throws {InvalidNodeAddressError} for anything else (never another kind of error).
 */
export function nodeAddressFromMultiaddr (ma: Multiaddr | string): NodeAddress {
  return guard(ma, () => {
    if (typeof ma === 'string') {
      checkText(ma)
      if (!ma.startsWith('/')) throw new AddressReason('a multiaddr starts with "/"')
    }
    return parseNodeAddressMultiaddr(ma)
  })
}

function checkText (text: string): void {
  if (text.length === 0) throw new AddressReason('empty')
  if (text.length > MAX_NODE_ADDRESS_LENGTH) throw new AddressReason(`longer than ${MAX_NODE_ADDRESS_LENGTH} characters`)
  if (WHITESPACE_OR_CONTROL.test(text)) throw new AddressReason('contains whitespace or control characters')
}

function guard (input: unknown, parse: () => NodeAddress): NodeAddress {
  try {
    return parse()
  } catch (err) {
    if (err instanceof AddressReason) throw new InvalidNodeAddressError(input, err.message, err.cause === undefined ? undefined : { cause: err.cause })
    if (err instanceof InvalidNodeAddressError) throw err
    throw new InvalidNodeAddressError(input, `unexpected failure: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}
