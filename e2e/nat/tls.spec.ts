/**
 * The relay serves the page over HTTPS itself and hands out wss:// (--tls-cert/--tls-key, a
 * certificate from a CA made at test time, trusted by the browsers under test): tabs behind two
 * home NATs open it as a real secure context, reach the relay over wss://, and link directly.
 * (The relay also lists its webrtc-direct address; no plain ws:// anywhere.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCa, issueCertificate, spkiSha256Base64 } from '../../packages/node-relay/test/support/test-ca.js'
import { directLinkTo, expectBehindNat, iceFlags, test, expect } from './fixtures.js'
import { SERVER_IP } from './lab.js'

test('over HTTPS and wss:// served by the relay itself, tabs behind two home NATs link directly', async ({ labRelay, homeTab, turn }) => {
  const dir = await mkdtemp(join(tmpdir(), 'peermesh-nat-tls-'))
  try {
    const ca = await createTestCa(dir)
    const issued = await issueCertificate(ca, [], [SERVER_IP])
    const [certPath, keyPath] = [join(dir, 'relay.pem'), join(dir, 'relay.key')]
    await writeFile(certPath, issued.chainPem)
    await writeFile(keyPath, issued.keyPem, { mode: 0o600 })
    const ice = iceFlags(turn, 'stun+turn')
    const relay = await labRelay({ ...ice, extraArgs: [...ice.extraArgs, '--tls-cert', certPath, '--tls-key', keyPath] })
    expect(relay.http, 'the relay serves HTTPS').toMatch(/^https:\/\//)
    expect(relay.addresses.length, 'the relay announces addresses').toBeGreaterThan(0)
    const webSocket = relay.addresses.filter(address => /^wss?:\/\//.test(address))
    expect(webSocket.length, `the relay announces a WebSocket address: ${relay.addresses.join(', ')}`).toBeGreaterThan(0)
    for (const address of webSocket) expect(address, 'the relay announces its WebSocket listener as wss:// only').toMatch(/^wss:\/\//)

    const trustSpki = [spkiSha256Base64(issued.chainPem)]
    const a = await homeTab('a', relay, { trustSpki })
    const b = await homeTab('b', relay, { trustSpki })
    for (const tab of [a, b]) {
      expect(await tab.page.evaluate(() => window.isSecureContext), `${tab.name} is a secure context (https)`).toBe(true)
      const bootstrap = await tab.page.evaluate(async () => await (await fetch('/api/bootstrap')).json() as { addresses: string[] })
      expect(bootstrap.addresses.some(address => address.startsWith('wss://')), '/api/bootstrap hands out wss://').toBe(true)
      expect(bootstrap.addresses.filter(address => address.startsWith('ws://')), '/api/bootstrap hands out no plain ws://').toEqual([])
      await expectBehindNat(tab)
    }
    const [idA, idB] = [await a.selfId(), await b.selfId()]
    for (const tab of [a, b]) await tab.expectConnectedTo(relay.peerId, { transport: 'websocket' })
    await a.expectConnectedTo(idB, { transport: 'webrtc', timeout: 30_000 })
    await b.expectConnectedTo(idA, { transport: 'webrtc', timeout: 30_000 })
    const pair = await directLinkTo(a, b.home.wanIp)
    expect(pair.remote.type, 'a direct link through both NATs').not.toBe('relay')
    expect(pair.local.type, 'a direct link through both NATs').not.toBe('relay')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
