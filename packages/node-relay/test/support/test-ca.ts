/**
 * A certificate authority made at test time with the system's `openssl` (Debian: the `openssl`
 * package), and server certificates it issues: what an operator's CA or ACME client would give
 * the relay. Also used by the e2e suite (e2e/tests/tls.spec.ts), whose browser trusts the CA.
 */
import { execFile } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestCa {
  dir: string
  certPath: string
  keyPath: string
  /** PEM of the CA certificate (give it to a client as `ca`, or as NODE_EXTRA_CA_CERTS). */
  certPem: string
}

export interface IssuedCertificate {
  /** PEM: the server's certificate, then the CA's (a full chain, as ACME clients write it). */
  chainPem: string
  keyPem: string
  /** SHA-256 fingerprint of the server's certificate, as Node's `X509Certificate.fingerprint256`. */
  fingerprint256: string
}

async function openssl (args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd })
}

/** Makes a P-256 CA valid for two days in `dir`. */
export async function createTestCa (dir: string, name = 'peermesh test CA'): Promise<TestCa> {
  const certPath = join(dir, 'ca.pem')
  const keyPath = join(dir, 'ca.key')
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'
  ], dir)
  return { dir, certPath, keyPath, certPem: await readFile(certPath, 'utf8') }
}

let serial = 0

/** Issues a server certificate (new P-256 key) for `dnsNames` and `ipAddresses`, valid one day. */
export async function issueCertificate (ca: TestCa, dnsNames: string[], ipAddresses: string[] = []): Promise<IssuedCertificate> {
  const id = `leaf-${process.pid}-${++serial}`
  const keyPath = join(ca.dir, `${id}.key`)
  const csrPath = join(ca.dir, `${id}.csr`)
  const certPath = join(ca.dir, `${id}.pem`)
  const extPath = join(ca.dir, `${id}.ext`)
  const altNames = [...dnsNames.map(n => `DNS:${n}`), ...ipAddresses.map(ip => `IP:${ip}`)].join(',')
  await writeFile(extPath, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`)
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${dnsNames[0] ?? ipAddresses[0] ?? 'peermesh'}`], ca.dir)
  await openssl(['x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-set_serial', String(Date.now() * 100 + serial), '-days', '1', '-extfile', extPath, '-out', certPath], ca.dir)
  const leafPem = await readFile(certPath, 'utf8')
  return {
    chainPem: leafPem + ca.certPem,
    keyPem: await readFile(keyPath, 'utf8'),
    fingerprint256: new X509Certificate(leafPem).fingerprint256
  }
}

/** Writes the pair the way renewal tools do: each file complete under a temporary name, then renamed over the old one. */
export async function installCertificate (issued: IssuedCertificate, certPath: string, keyPath: string): Promise<void> {
  await writeFile(`${keyPath}.new`, issued.keyPem, { mode: 0o600 })
  await writeFile(`${certPath}.new`, issued.chainPem)
  await rename(`${keyPath}.new`, keyPath)
  await rename(`${certPath}.new`, certPath)
}

/** base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate: Chromium's `--ignore-certificate-errors-spki-list` value. */
export function spkiSha256Base64 (certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}
