/**
 * The URL form of a node address: `<scheme>://<peerId>@<host>[:<port>][/via/<relayPeerId>][?…]`.
 * A small hand-written parser rather than `new URL()`: WHATWG URL treats unknown schemes as
 * opaque and differs between runtimes, and we want one precise error per mistake.
 */
import { reject } from './errors.js'
import { classifyUrlHost, type HostType } from './host.js'
import { canonicalPeerId } from './peer-id.js'
import {
  createDirectAddress,
  createRelayedAddress,
  DIRECT_PROTOCOLS,
  RELAYED_PROTOCOLS,
  type DirectProtocol,
  type NodeAddress,
  type RelayedProtocol
} from './node-address.js'

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/
const LOOKS_LIKE_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/
const PORT_DIGITS = /^\d{1,5}$/
const EXAMPLE = 'expected <scheme>://<peerId>@<host>[:<port>], e.g. tcp://12D3KooW…@127.0.0.1:4001'

/** Parses the URL form; throws an `AddressReason` (turned into InvalidNodeAddressError by the caller). */
export function parseNodeAddressUrl (text: string): NodeAddress {
  const schemeEnd = text.indexOf('://')
  if (schemeEnd <= 0) {
    if (schemeEnd === -1 && LOOKS_LIKE_SCHEME.test(text)) reject(`expected "://" after the scheme (${EXAMPLE})`)
    reject(`missing scheme (${EXAMPLE})`)
  }
  const rawScheme = text.slice(0, schemeEnd)
  if (!SCHEME.test(rawScheme)) reject(`invalid scheme ${JSON.stringify(rawScheme)}`)
  const scheme = rawScheme.toLowerCase()
  const { relayed, direct } = splitScheme(scheme)

  let rest = text.slice(schemeEnd + 3)
  if (rest.includes('#')) reject('fragments ("#…") are not allowed')
  let query: string | undefined
  const queryStart = rest.indexOf('?')
  if (queryStart !== -1) {
    query = rest.slice(queryStart + 1)
    rest = rest.slice(0, queryStart)
  }
  const pathStart = rest.indexOf('/')
  const authority = pathStart === -1 ? rest : rest.slice(0, pathStart)
  const path = pathStart === -1 ? '' : rest.slice(pathStart)

  const at = authority.indexOf('@')
  if (at === -1) reject(`no peer ID (${EXAMPLE})`)
  if (authority.indexOf('@', at + 1) !== -1) reject('more than one "@"')
  const userinfo = authority.slice(0, at)
  if (userinfo.includes(':')) reject('a password in the userinfo is not allowed (only <peerId>@)')
  const peerId = decode(userinfo, 'peer ID')
  if (peerId.length === 0) reject('no peer ID (empty before "@")')
  const { hostType, hostname, port } = splitHostPort(authority.slice(at + 1), direct)
  const params = parseQuery(query)

  if (relayed === undefined) {
    if (path !== '' && path !== '/') reject(`a path is not allowed on a ${direct} address (only relayed addresses have /via/<relayPeerId>)`)
    return createDirectAddress({ protocol: direct, peerId, hostType, hostname, port, ...params })
  }
  const via = /^\/via\/([^/]*)$/.exec(path)
  if (via === null) reject(`a ${scheme} address needs the path /via/<relayPeerId>`)
  const relayPeerId = decode(via[1] ?? '', 'relay peer ID')
  if (relayPeerId.length === 0) reject('no relay peer ID after /via/')
  canonicalPeerId(relayPeerId, 'relay peer ID')
  const relay = createDirectAddress({ protocol: direct, peerId: relayPeerId, hostType, hostname, port, ...params })
  return createRelayedAddress(relayed, peerId, relay)
}

function splitScheme (scheme: string): { relayed: RelayedProtocol | undefined, direct: DirectProtocol } {
  const plus = scheme.indexOf('+')
  if (plus === -1) {
    if (DIRECT_PROTOCOLS.has(scheme)) return { relayed: undefined, direct: scheme as DirectProtocol }
    if (RELAYED_PROTOCOLS.has(scheme)) reject(`a ${scheme} address goes through a relay: write ${scheme}+<relay scheme>://<peerId>@<relay host>/via/<relayPeerId>`)
    reject(`unknown scheme ${JSON.stringify(scheme)} (known: tcp, ws, wss, webrtc-direct, memory, webrtc+…, circuit+…)`)
  }
  const outer = scheme.slice(0, plus)
  const inner = scheme.slice(plus + 1)
  if (!RELAYED_PROTOCOLS.has(outer)) reject(`unknown scheme ${JSON.stringify(scheme)} (only webrtc+… and circuit+… combine)`)
  if (inner.split('+').some(part => RELAYED_PROTOCOLS.has(part))) reject('nested relays are not supported')
  if (!DIRECT_PROTOCOLS.has(inner)) reject(`unknown relay scheme ${JSON.stringify(inner)} in ${JSON.stringify(scheme)}`)
  return { relayed: outer as RelayedProtocol, direct: inner as DirectProtocol }
}

function splitHostPort (hostPort: string, protocol: DirectProtocol): { hostType: HostType, hostname: string, port: number | undefined } {
  let hostText: string
  let portText: string | undefined
  let bracketed = false
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']')
    if (close === -1) reject('unclosed "[" in the host')
    hostText = hostPort.slice(1, close)
    bracketed = true
    const after = hostPort.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) reject(`unexpected ${JSON.stringify(after)} after the IPv6 address`)
      portText = after.slice(1)
    }
  } else {
    const colon = hostPort.lastIndexOf(':')
    if (colon === -1) {
      hostText = hostPort
    } else {
      hostText = hostPort.slice(0, colon)
      portText = hostPort.slice(colon + 1)
      if (hostText.includes(':')) reject('an IPv6 address must be in brackets, e.g. [2001:db8::1]:4001')
    }
  }
  if (hostText.length === 0) {
    if (protocol === 'memory' && portText === undefined) reject('missing memory address name')
    reject(portText === undefined ? 'missing host' : 'port without host')
  }
  const port = portText === undefined ? undefined : parsePort(portText)
  if (bracketed) {
    if (protocol === 'memory') reject('a memory address takes a memory name, not an IPv6 address')
    if (hostText.includes('%')) reject('IPv6 zone IDs are not allowed')
    return { hostType: 'ip6', hostname: hostText, port }
  }
  const decoded = decode(hostText, 'host')
  if (protocol === 'memory') return { hostType: 'memory', hostname: decoded, port }
  if (decoded.length === 0) reject('missing host')
  return { ...classifyUrlHost(decoded), port }
}

function parsePort (text: string): number {
  if (text.length === 0) reject('empty port after ":"')
  if (!PORT_DIGITS.test(text)) reject(`bad port ${JSON.stringify(text)}: must be 1 to 65535`)
  const port = Number(text)
  if (port > 65535) reject(`bad port ${text}: must be 1 to 65535`)
  return port
}

function parseQuery (query: string | undefined): { certhashes: string[], sni?: string } {
  const certhashes: string[] = []
  let sni: string | undefined
  if (query === undefined) return { certhashes }
  if (query === '') reject('empty query after "?"')
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) reject(`query parameter ${JSON.stringify(pair)} is not key=value`)
    const key = decode(pair.slice(0, eq), 'query key').toLowerCase()
    const value = decode(pair.slice(eq + 1), `${key} value`)
    if (value.length === 0) reject(`empty ${key} value`)
    if (key === 'certhash') {
      certhashes.push(value)
    } else if (key === 'sni') {
      if (sni !== undefined) reject('more than one sni')
      sni = value
    } else {
      reject(`unknown query parameter ${JSON.stringify(key)} (known: certhash, sni)`)
    }
  }
  return sni === undefined ? { certhashes } : { certhashes, sni }
}

function decode (text: string, what: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch (err) {
    return reject(`bad percent-escape in the ${what}`, err)
  }
}
