/**
 * Real key material for the address tests: PeerIds from freshly generated keys, and certificate
 * hashes built as libp2p builds them (a SHA-256 multihash, multibase-encoded).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { toString as bytesToString } from 'uint8arrays/to-string'

export interface AddressFixtures {
  /** Ed25519 PeerIds (`12D3KooW…`). */
  ed25519: string[]
  /** The first Ed25519 PeerId as a CIDv1 (`bafz…`), another spelling of `ed25519[0]`. */
  ed25519Cid: string
  /** A secp256k1 PeerId (`16Uiu2…`). */
  secp256k1: string
  /** An RSA PeerId (`Qm…`, the sha256 multihash form). */
  rsa: string
  /** A certificate hash in canonical form (base64url multibase), and the same hash in base32. */
  certhash: string
  certhashBase32: string
  /** A second, different canonical certificate hash. */
  otherCerthash: string
}

/** A legacy RSA PeerId from the js-libp2p documentation. */
export const LEGACY_RSA_PEER_ID = 'QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC'

export async function createAddressFixtures (ed25519Count = 4): Promise<AddressFixtures> {
  const ed25519Keys = await Promise.all(Array.from({ length: ed25519Count }, async () => generateKeyPair('Ed25519')))
  const ed25519 = ed25519Keys.map(key => peerIdFromPrivateKey(key).toString())
  const first = ed25519Keys[0]
  if (first === undefined) throw new Error('need at least one Ed25519 key')
  const rsaKey = await generateKeyPair('RSA', 1024)
  const secpKey = await generateKeyPair('secp256k1')
  const hash = await sha256Multihash('a certificate')
  const otherHash = await sha256Multihash('another certificate')
  return {
    ed25519,
    ed25519Cid: peerIdFromPrivateKey(first).toCID().toString(),
    secp256k1: peerIdFromPrivateKey(secpKey).toString(),
    rsa: peerIdFromPrivateKey(rsaKey).toString(),
    certhash: `u${bytesToString(hash, 'base64url')}`,
    certhashBase32: `b${bytesToString(hash, 'base32')}`,
    otherCerthash: `u${bytesToString(otherHash, 'base64url')}`
  }
}

/** A sha256 multihash (code 0x12, length 32, digest) of some text. */
export async function sha256Multihash (text: string): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return new Uint8Array([0x12, 0x20, ...digest])
}

/**
 * Fills `{A}`, `{B}`, `{R}` (Ed25519 PeerIds), `{a}` (`{A}` lower-cased), `{A%}` (`{A}` fully
 * percent-encoded), `{ACID}`, `{SECP}`, `{RSA}`, `{CH}`, `{CH32}`, `{CH2}` in a table entry.
 */
export function fill (template: string, f: AddressFixtures): string {
  const [a = '', b = '', r = ''] = f.ed25519
  const values: Record<string, string> = {
    A: a,
    B: b,
    R: r,
    a: a.toLowerCase(),
    'A%': [...a].map(c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
    ACID: f.ed25519Cid,
    SECP: f.secp256k1,
    RSA: f.rsa,
    CH: f.certhash,
    CH32: f.certhashBase32,
    CH2: f.otherCerthash
  }
  return template.replace(/\{([A-Za-z0-9%]+)\}/g, (whole, key: string) => values[key] ?? whole)
}
