/**
 * WebRTC-Direct certificates for Node.js nodes (@libp2p/webrtc's `TransportCertificate`): an
 * ECDSA P-256 key and a self-signed certificate, as WebRTC uses, and the certhash that goes into
 * `/webrtc-direct/certhash/<hash>` addresses. Browsers check only that hash, never a CA.
 *
 * Without a certificate, @libp2p/webrtc makes one in every node's `start()`, listening or not,
 * which on a busy 2-core machine took long enough to stall meshes of many in-process nodes; Node
 * nodes given none therefore share {@link processWebRtcDirectCertificate}, made once per process.
 * A relay keeps its own in its data directory so that its address survives restarts.
 */
import 'reflect-metadata'
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import { X509CertificateGenerator } from '@peculiar/x509'
import type { WebRtcDirectCertificateInit } from './init.js'

/**
 * How long a certificate made here is valid. Browsers check only its hash, not its dates; a long
 * life keeps the address stable (a new certificate is a new address every invite must learn).
 */
export const WEBRTC_DIRECT_CERTIFICATE_DAYS = 3650

/** Multihash sha2-256 (0x12, 32 bytes) of the DER in multibase base64url (`u…`): libp2p's certhash. */
export function certhashOf (der: Uint8Array): string {
  const digest = createHash('sha256').update(der).digest()
  return `u${Buffer.concat([Buffer.from([0x12, 0x20]), digest]).toString('base64url')}`
}

/** A new ECDSA P-256 self-signed certificate valid from `notBefore` (less a minute of clock skew). */
export async function createWebRtcDirectCertificate (notBefore: Date = new Date()): Promise<WebRtcDirectCertificateInit> {
  const keys = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  const start = new Date(notBefore.getTime() - 60_000)
  start.setMilliseconds(0)
  const end = new Date(start.getTime() + WEBRTC_DIRECT_CERTIFICATE_DAYS * 86_400_000)
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(`${start.getTime()}:${Math.random()}`).digest('hex').slice(0, 16),
    name: 'CN=peermesh webrtc-direct',
    notBefore: start,
    notAfter: end,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys
  }, globalThis.crypto) // never the library's global provider: @libp2p/webrtc sets its own there
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey))
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----`
  return { privateKey, pem: cert.toString('pem'), certhash: certhashOf(new Uint8Array(cert.rawData)) }
}

/**
 * A certificate read back from PEM: checks that the key matches and computes the certhash.
 *
 * @throws {Error} when the PEM does not parse or the key does not match the certificate
 */
export function webRtcDirectCertificateFromPem (pem: string, privateKey: string): WebRtcDirectCertificateInit {
  const x509 = new X509Certificate(pem)
  if (!x509.checkPrivateKey(createPrivateKey(privateKey))) throw new Error('the private key does not match the certificate')
  return { pem, privateKey, certhash: certhashOf(x509.raw) }
}

let shared: Promise<WebRtcDirectCertificateInit> | undefined

/** One certificate for every node of this process that was given none (made on first use). */
export async function processWebRtcDirectCertificate (): Promise<WebRtcDirectCertificateInit> {
  shared ??= createWebRtcDirectCertificate()
  return await shared
}
