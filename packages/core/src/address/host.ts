/**
 * Host names inside node addresses: IPv4, IPv6, DNS names and memory-transport names, validated
 * and put in their one canonical spelling.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { reject } from './errors.js'

/** How the host of an address is spelled. */
export type HostType = 'ip4' | 'ip6' | 'dns' | 'memory'

/** Longest DNS name (RFC 1035). */
const MAX_DNS_NAME_LENGTH = 253
/** Longest memory-transport name we accept (libp2p's own are 21-character nanoids). */
export const MAX_MEMORY_NAME_LENGTH = 128

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const IPV6_CHARACTERS = /^[0-9A-Fa-f:.]+$/
/** Letters, digits, hyphen and underscore (container names use it); no hyphen at either end. */
const DNS_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/
const ALL_DIGITS = /^\d+$/
const MEMORY_NAME = /^[A-Za-z0-9._-]+$/

/** Validates an IPv4 address in strict dotted-quad form (no leading zeros). */
export function canonicalIp4 (text: string): string {
  if (!IPV4.test(text)) reject(`invalid IPv4 address ${JSON.stringify(text)}`)
  if (text === '0.0.0.0') reject('the unspecified address 0.0.0.0 is not dialable')
  return text
}

/** Validates an IPv6 address (no brackets) and returns multiaddr's canonical spelling. */
export function canonicalIp6 (text: string): string {
  if (text.includes('%')) reject(`IPv6 zone IDs are not allowed (${JSON.stringify(text)})`)
  if (!IPV6_CHARACTERS.test(text) || !text.includes(':')) reject(`invalid IPv6 address ${JSON.stringify(text)}`)
  let canonical: string | undefined
  try {
    canonical = multiaddr(`/ip6/${text}`).getComponents()[0]?.value
  } catch (err) {
    reject(`invalid IPv6 address ${JSON.stringify(text)}`, err)
  }
  if (canonical === undefined) reject(`invalid IPv6 address ${JSON.stringify(text)}`)
  if (canonical === '::') reject('the unspecified address :: is not dialable')
  return canonical
}

/** Validates a DNS name and returns it lower-cased. It is not resolved here. */
export function canonicalDnsName (text: string): string {
  // Checked before lower-casing: some non-ASCII letters lower-case to ASCII (U+212A KELVIN SIGN → "k").
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) reject(`host name ${JSON.stringify(text)} must be ASCII (write international names in punycode)`)
  const name = text.toLowerCase()
  if (name.length === 0) reject('missing host')
  if (name.length > MAX_DNS_NAME_LENGTH) reject(`host name longer than ${MAX_DNS_NAME_LENGTH} characters`)
  const labels = name.split('.')
  for (const label of labels) {
    if (!DNS_LABEL.test(label)) reject(`invalid host name ${JSON.stringify(text)}`)
  }
  const last = labels[labels.length - 1] ?? ''
  if (ALL_DIGITS.test(last)) reject(`invalid IPv4 address ${JSON.stringify(text)}`)
  return name
}

/** Validates a memory-transport name. Names are case-sensitive, as @libp2p/memory's are. */
export function canonicalMemoryName (text: string): string {
  if (text.length === 0) reject('missing memory address name')
  if (text.length > MAX_MEMORY_NAME_LENGTH) reject(`memory address name longer than ${MAX_MEMORY_NAME_LENGTH} characters`)
  if (!MEMORY_NAME.test(text)) reject(`invalid memory address name ${JSON.stringify(text)} (allowed: letters, digits, '.', '_', '-')`)
  return text
}

/**
 * Reads the host of a URL (already without brackets and percent-decoded): an IPv4 address if it
 * is all digits and dots, otherwise a DNS name.
 */
export function classifyUrlHost (text: string): { hostType: 'ip4' | 'dns', hostname: string } {
  if (/^[\d.]+$/.test(text)) return { hostType: 'ip4', hostname: canonicalIp4(text) }
  return { hostType: 'dns', hostname: canonicalDnsName(text) }
}

/** The 4 bytes of a canonical IPv4 address. */
export function ip4Bytes (address: string): number[] {
  return address.split('.').map(Number)
}

/** The 16 bytes of a canonical IPv6 address. */
export function ip6Bytes (address: string): Uint8Array {
  // A multiaddr's bytes are the varint code (0x29, one byte) followed by the 16 address bytes.
  return multiaddr(`/ip6/${address}`).bytes.subarray(1, 17)
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), if it is one. */
export function mappedIp4 (bytes: Uint8Array): number[] | undefined {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined
  return [bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0]
}
