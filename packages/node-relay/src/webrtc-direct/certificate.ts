/**
 * The relay's WebRTC-Direct certificate, kept in the data directory (`webrtc-direct.pem`: the
 * certificate and its private key, mode 0600) so that its hash, and so the relay's
 * `/udp/<port>/webrtc-direct/certhash/<hash>` address, stays the same across restarts. Browsers
 * check only that hash (the DTLS fingerprint), never a CA, so the certificate is self-signed.
 *
 * @libp2p/webrtc 6 can keep one itself only through a libp2p keychain and datastore, and then
 * renews it every 14 days (a new address each time); `webRTCDirect({ certificate })` takes a
 * ready `{ privateKey, pem, certhash }` instead: core makes it (`createWebRtcDirectCertificate`,
 * valid ten years), this module stores and reloads it.
 */
import { X509Certificate } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { createWebRtcDirectCertificate, webRtcDirectCertificateFromPem } from '@peermesh/core'
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
    return webRtcDirectCertificateFromPem(pem, privateKey)
  } catch (err) {
    throw new WebRtcDirectCertificateError(`${location}: ${(err as Error).message}`, { cause: err })
  }
}
