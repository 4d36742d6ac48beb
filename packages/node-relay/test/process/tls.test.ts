import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { connect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { TEST_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'
import { createTestCa, installCertificate, issueCertificate, type TestCa } from '../support/test-ca.js'

/** Polled, never slept: a reload must show within this (the file watcher polls every 2 s). */
const RELOAD_DEADLINE = { timeout: 20_000, interval: 100 }

interface HttpsAnswer {
  status: number
  body: string
  fingerprint256: string
}

/** GET over HTTPS trusting only `ca`; also returns the certificate the server presented. */
async function httpsGet (base: string, path: string, ca: string): Promise<HttpsAnswer> {
  return await new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { ca, agent: false }, res => {
      const fingerprint256 = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), fingerprint256 }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The certificate a TLS server at host:port presents, verified against `ca`. */
async function presentedFingerprint (host: string, port: number, ca: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host, port, ca, servername: 'peermesh.test' }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256
      socket.destroy()
      resolve(fingerprint)
    })
    socket.on('error', reject)
  })
}

function wssPortOf (relay: RelayProcess): number {
  const address = relay.ready.multiaddrs.find(ma => ma.includes('/tls/ws'))
  if (address == null) throw new Error(`no /tls/ws address in ${relay.ready.multiaddrs.join(' ')}`)
  const tcp = multiaddr(address).getComponents().find(c => c.name === 'tcp')
  return Number(tcp?.value)
}

describe('a relay serving TLS itself', () => {
  let certDir: string
  let ca: TestCa
  let certPath: string
  let keyPath: string
  let firstFingerprint: string
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>
  let peerDir: Awaited<ReturnType<typeof tempDataDir>>
  let relay: RelayProcess
  let peer: RelayProcess | undefined

  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'peermesh-tls-'))
    ca = await createTestCa(certDir)
    certPath = join(certDir, 'fullchain.pem')
    keyPath = join(certDir, 'privkey.pem')
    const first = await issueCertificate(ca, ['peermesh.test'], ['127.0.0.1'])
    firstFingerprint = first.fingerprint256
    await installCertificate(first, certPath, keyPath)
    dataDir = await tempDataDir()
    peerDir = await tempDataDir()
    relay = await startRelayProcess(['--listen', '/ip4/127.0.0.1/tcp/0/ws', ...TEST_FLAGS, '--data-dir', dataDir.path, '--tls-cert', certPath, '--tls-key', keyPath])
  })

  afterAll(async () => {
    await peer?.dispose()
    await relay?.dispose()
    await dataDir?.remove()
    await peerDir?.remove()
    await rm(certDir, { recursive: true, force: true })
  })

  it('serves HTTPS with the certificate, and logs its fingerprint', async () => {
    expect(relay.ready.http).toMatch(/^https:\/\/127\.0\.0\.1:[1-9][0-9]*$/)
    const health = await httpsGet(relay.http, '/healthz', ca.certPem)
    expect(health.status).toBe(200)
    expect(health.fingerprint256).toBe(firstFingerprint)
    expect(relay.logs().find(l => l.msg === 'tls certificate loaded')).toMatchObject({ fingerprint256: firstFingerprint })
  })

  it('listens for wss:// (its /ws listen address became /tls/ws) and hands out wss://, never ws://', async () => {
    expect(relay.ready.multiaddrs.every(ma => !/\/tcp\/[0-9]+\/ws(\/|$)/.test(ma))).toBe(true)
    expect(await presentedFingerprint('127.0.0.1', wssPortOf(relay), ca.certPem)).toBe(firstFingerprint)
    const bootstrap = JSON.parse((await httpsGet(relay.http, '/api/bootstrap', ca.certPem)).body) as { addresses: string[] }
    // the wss address first, then WebRTC-Direct (which needs no CA certificate)
    expect(bootstrap.addresses).toHaveLength(2)
    expect(bootstrap.addresses[0]).toMatch(new RegExp(`^wss://${relay.ready.peerId}@127\\.0\\.0\\.1:${wssPortOf(relay)}$`))
    expect(bootstrap.addresses[1]).toMatch(/^webrtc-direct:\/\//)
  })

  it('carries a real libp2p connection over wss:// from a peer that trusts the CA', async () => {
    await writeFile(join(certDir, 'trust.pem'), ca.certPem)
    peer = await startRelayProcess(['--role', 'peer', ...TEST_FLAGS, '--data-dir', peerDir.path, '--bootstrap', relay.ready.addresses[0] ?? ''], { NODE_EXTRA_CA_CERTS: join(certDir, 'trust.pem') })
    await expect.poll(async () => {
      const { peers } = JSON.parse((await httpsGet(relay.http, '/api/peers', ca.certPem)).body) as { peers: PeerView[] }
      return peers.find(p => p.peerId === peer?.ready.peerId)?.state
    }, { timeout: 30_000, interval: 100 }).toBe('connected')
  })

  it('serves a renewed certificate after SIGHUP, on HTTPS and wss://', async () => {
    const renewed = await issueCertificate(ca, ['peermesh.test'], ['127.0.0.1'])
    await installCertificate(renewed, certPath, keyPath)
    relay.child.kill('SIGHUP')
    await expect.poll(async () => (await httpsGet(relay.http, '/healthz', ca.certPem)).fingerprint256, RELOAD_DEADLINE).toBe(renewed.fingerprint256)
    await expect.poll(async () => await presentedFingerprint('127.0.0.1', wssPortOf(relay), ca.certPem), RELOAD_DEADLINE).toBe(renewed.fingerprint256)
    expect(relay.child.exitCode).toBeNull()
  })

  it('picks up renewed files by itself, without a signal', async () => {
    const renewed = await issueCertificate(ca, ['peermesh.test'], ['127.0.0.1'])
    await installCertificate(renewed, certPath, keyPath)
    await expect.poll(async () => (await httpsGet(relay.http, '/healthz', ca.certPem)).fingerprint256, RELOAD_DEADLINE).toBe(renewed.fingerprint256)
    await expect.poll(async () => await presentedFingerprint('127.0.0.1', wssPortOf(relay), ca.certPem), RELOAD_DEADLINE).toBe(renewed.fingerprint256)
  })

  it('keeps serving the current certificate when the renewed files are broken', async () => {
    const current = (await httpsGet(relay.http, '/healthz', ca.certPem)).fingerprint256
    await writeFile(keyPath, 'not a key\n')
    relay.child.kill('SIGHUP')
    await expect.poll(() => relay.logs().some(l => String(l.msg).startsWith('tls certificate reload failed')), RELOAD_DEADLINE).toBe(true)
    const after = await httpsGet(relay.http, '/healthz', ca.certPem)
    expect(after.status).toBe(200)
    expect(after.fingerprint256).toBe(current)
  })
})
