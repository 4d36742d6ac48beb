/**
 * The relay's WebRTC-Direct certificate, kept in the data directory (`webrtc-direct.pem`: the
 * certificate and its private key, mode 0600) so that its hash, and so the relay's
 * `/udp/<port>/webrtc-direct/certhash/<hash>` address, stays the same across restarts. Browsers
 * check only that hash (the DTLS fingerprint), never a CA, so the certificate is self-signed.
 *
 * @libp2p/webrtc 6 can keep one itself only through a libp2p keychain and datastore, and then
 * renews it every 14 days (a new address each time); `webRTCDirect({ certificate })` takes a
 * ready `{ privateKey, pem, certhash }` instead, which is what this module makes.
 */
import 'reflect-metadata'
import { createHash, X509Certificate, createPrivateKey } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { X509CertificateGenerator, cryptoProvider } from '@peculiar/x509'
import type { Logger } from '../logger.js'

/** What `webRTCDirect({ certificate })` takes (@libp2p/webrtc's `TransportCertificate`). */
export interface WebRtcDirectCertificate {
  /** PKCS#8 PEM of the ECDSA P-256 key. */
  privateKey: string
  /** PEM of the self-signed certificate. */
  pem: string
  /** The certificate's multihash (sha2-256 of its DER) in multibase base64url: `uEi…`. */
  certhash: string
}

/** The certificate file could not be read or made. */
export class WebRtcDirectCertificateError extends Error {
  static override name = 'WebRtcDirectCertificateError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'WebRtcDirectCertificateError'
  }
}

/**
 * How long the certificate is valid. Browsers check only its hash, not its dates; a long life
 * keeps the address stable (a new certificate is a new address that every invite must learn).
 */
export const WEBRTC_DIRECT_CERTIFICATE_DAYS = 3650

/** Multihash sha2-256 (0x12, 32 bytes) of the DER, multibase base64url (`u`): libp2p's certhash. */
export function certhashOf (der: Uint8Array): string {
  const digest = createHash('sha256').update(der).digest()
  return `u${Buffer.concat([Buffer.from([0x12, 0x20]), digest]).toString('base64url')}`
}

/** Reads the certificate at `location`, or makes one and stores it there when there is none. */
export async function loadOrCreateWebRtcDirectCertificate (location: string, logger: Logger, now: () => Date = () => new Date()): Promise<{ certificate: WebRtcDirectCertificate, created: boolean }> {
  let text: string | undefined
  try {
    text = await readFile(location, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new WebRtcDirectCertificateError(`cannot read ${location}: ${(err as Error).message}`, { cause: err })
    }
  }
  if (text != null) {
    const certificate = parseCertificateFile(text, location)
    const x509 = new X509Certificate(certificate.pem)
    if (new Date(x509.validTo).getTime() > now().getTime()) return { certificate, created: false }
    logger.warn('webrtc-direct certificate expired: making a new one (the relay\'s webrtc-direct address changes)', { location, validTo: x509.validTo })
  }
  const certificate = await createWebRtcDirectCertificate(now())
  const temporary = `${location}.${process.pid}.tmp`
  await writeFile(temporary, `${certificate.pem.trim()}\n${certificate.privateKey.trim()}\n`, { mode: 0o600 })
  await rename(temporary, location)
  return { certificate, created: true }
}

function parseCertificateFile (text: string, location: string): WebRtcDirectCertificate {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0]
  const privateKey = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(text)?.[0]
  if (pem == null || privateKey == null) {
    throw new WebRtcDirectCertificateError(`${location} does not hold a PEM certificate and a PKCS#8 private key; move it away to make a new one (the webrtc-direct address then changes)`)
  }
  try {
    const x509 = new X509Certificate(pem)
    if (!x509.checkPrivateKey(createPrivateKey(privateKey))) throw new Error('the private key does not match the certificate')
    return { pem, privateKey, certhash: certhashOf(x509.raw) }
  } catch (err) {
    throw new WebRtcDirectCertificateError(`${location}: ${(err as Error).message}`, { cause: err })
  }
}

/** A new ECDSA P-256 self-signed certificate, as WebRTC uses. */
export async function createWebRtcDirectCertificate (notBefore: Date): Promise<WebRtcDirectCertificate> {
  cryptoProvider.set(globalThis.crypto)
  const keys = await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
  const start = new Date(notBefore.getTime() - 60_000)
  start.setMilliseconds(0)
  const end = new Date(start.getTime() + WEBRTC_DIRECT_CERTIFICATE_DAYS * 86_400_000)
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(String(start.getTime()) + Math.random()).digest('hex').slice(0, 16),
    name: 'CN=peermesh-relay webrtc-direct',
    notBefore: start,
    notAfter: end,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys
  })
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey))
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END PRIVATE KEY-----`
  const pem = cert.toString('pem')
  return { privateKey, pem, certhash: certhashOf(new Uint8Array(cert.rawData)) }
}
