/**
 * The relay serves TLS itself (`--tls-cert`/`--tls-key`): the page loads over HTTPS from a name
 * that is not localhost, so it is a secure context only thanks to TLS, and dials the relay over
 * `wss://`. The certificate comes from a CA made at test time; Chromium trusts exactly that CA
 * through `--ignore-certificate-errors-spki-list` and resolves the name to loopback through
 * `--host-resolver-rules`, in a browser launched by this file for that purpose.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from '@playwright/test'
import { chromiumArgs, chromiumExecutable } from '../../scripts/chromium.js'
import { createTestCa, installCertificate, issueCertificate, spkiSha256Base64 } from '../../packages/node-relay/test/support/test-ca.js'
import { test, expect } from '../fixtures/test.js'
import { MeshPage } from '../fixtures/mesh-page.js'
import type { RelayProcess } from '../fixtures/relay-process.js'

/** The origin's name: not localhost, so without TLS the page would not be a secure context. */
const HOST = 'peermesh.test'

let certDir: string
let certPath: string
let keyPath: string
let caSpki: string

test.beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'peermesh-e2e-tls-'))
  const ca = await createTestCa(certDir)
  certPath = join(certDir, 'fullchain.pem')
  keyPath = join(certDir, 'privkey.pem')
  // the WebSocket address the relay hands out is wss://<id>@127.0.0.1:<port>, hence the IP name
  await installCertificate(await issueCertificate(ca, [HOST], ['127.0.0.1']), certPath, keyPath)
  caSpki = spkiSha256Base64(ca.certPem)
})

test.afterAll(async () => {
  await rm(certDir, { recursive: true, force: true })
})

async function launchTrustingBrowser (): Promise<Browser> {
  const executablePath = chromiumExecutable()
  return await chromium.launch({
    ...(executablePath != null ? { executablePath } : {}),
    headless: true,
    args: [...chromiumArgs, `--ignore-certificate-errors-spki-list=${caSpki}`, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`]
  })
}

function pageUrl (relay: RelayProcess): string {
  const url = new URL(relay.http)
  expect(url.protocol).toBe('https:')
  url.hostname = HOST
  return url.toString()
}

test('a page served over HTTPS by the relay from a non-localhost name starts, dials wss:// and two tabs link directly', async ({ spawnNode }) => {
  const relay = await spawnNode({ name: 'tls-relay', extraArgs: ['--tls-cert', certPath, '--tls-key', keyPath] })
  expect(relay.addresses[0]).toMatch(/^wss:\/\//)
  expect(relay.addresses.filter(address => address.startsWith('ws://'))).toEqual([])

  const browser = await launchTrustingBrowser()
  try {
    const tabs: MeshPage[] = []
    for (const name of ['alice', 'bob']) {
      const page = await (await browser.newContext()).newPage()
      await page.goto(pageUrl(relay))
      expect(await page.evaluate(() => ({ secure: window.isSecureContext, locks: 'locks' in navigator }))).toEqual({ secure: true, locks: true })
      tabs.push(new MeshPage(page, name))
    }
    const [alice, bob] = tabs as [MeshPage, MeshPage]
    const aliceId = await alice.selfId()
    const bobId = await bob.selfId()

    // the relay link is the wss:// WebSocket; the tabs' own link is direct WebRTC, whose ICE
    // selected our host candidate and the peer's host address (one machine, no STUN), learnt from
    // its candidate or, when its check arrived first, as peer-reflexive: never STUN or TURN
    await alice.expectConnectedTo(relay.peerId, { transport: 'websocket' })
    await alice.expectConnectedTo(bobId, { transport: 'webrtc' })
    await bob.expectConnectedTo(aliceId, { transport: 'webrtc' })
    await expect(alice.peerRow(bobId)).toHaveAttribute('data-candidate-local', 'host')
    await expect(alice.peerRow(bobId)).toHaveAttribute('data-candidate-remote', /^(host|prflx)$/)
    await expect(alice.peerRow(bobId)).toHaveAttribute('data-via-turn', 'false')
    const origin = await alice.page.evaluate(() => location.origin)
    expect(origin).toBe(new URL(pageUrl(relay)).origin)
  } finally {
    await browser.close()
  }
})

test('the same page over plain http from that name stops at once and says to serve it with --tls-cert', async ({ spawnNode }) => {
  const relay = await spawnNode({ name: 'plain-relay' })
  const browser = await launchTrustingBrowser()
  try {
    const page = await (await browser.newContext()).newPage()
    const url = new URL(relay.http)
    url.hostname = HOST
    await page.goto(url.toString())
    await expect(page.locator('#status')).toContainText('is not a secure context')
    await expect(page.locator('#status')).toContainText('--tls-cert')
    await expect(page.locator('#status')).toHaveClass(/error/)
  } finally {
    await browser.close()
  }
})
