import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PeerView } from '@peermesh/core'
import { RELAY_FLAGS, TEST_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const certhashOf = (address: string | undefined): string | undefined => address == null ? undefined : new URL(address).searchParams.get('certhash') ?? undefined

function webRtcDirectAddress (relay: RelayProcess): string {
  const address = relay.ready.addresses.find(a => a.startsWith('webrtc-direct://'))
  if (address == null) throw new Error(`no webrtc-direct address in ${relay.ready.addresses.join(' ')}`)
  return address
}

describe('a relay listening for WebRTC-Direct', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>
  let peerDir: Awaited<ReturnType<typeof tempDataDir>>
  let relay: RelayProcess
  let peer: RelayProcess | undefined

  beforeAll(async () => {
    dataDir = await tempDataDir()
    peerDir = await tempDataDir()
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path])
  })

  afterAll(async () => {
    await peer?.dispose()
    await relay?.dispose()
    await dataDir?.remove()
    await peerDir?.remove()
  })

  it('announces a webrtc-direct address with a certhash, listed in /api/bootstrap after the WebSocket one', async () => {
    const address = webRtcDirectAddress(relay)
    expect(address).toMatch(new RegExp(`^webrtc-direct://${relay.ready.peerId}@127\\.0\\.0\\.1:[1-9][0-9]*\\?certhash=uEi[A-Za-z0-9_-]{44}$`))
    const { addresses } = await relay.getJson<{ addresses: string[] }>('/api/bootstrap')
    expect(addresses.map(a => new URL(a).protocol)).toEqual(['ws:', 'webrtc-direct:'])
    expect((await stat(join(dataDir.path, 'webrtc-direct.pem'))).mode & 0o777).toBe(0o600)
  })

  it('lets a peer join over webrtc-direct alone', async () => {
    peer = await startRelayProcess(['--role', 'peer', ...TEST_FLAGS, '--data-dir', peerDir.path, '--bootstrap', webRtcDirectAddress(relay)])
    await expect.poll(async () => {
      const { peers } = await relay.getJson<{ peers: PeerView[] }>('/api/peers')
      const view = peers.find(p => p.peerId === peer?.ready.peerId)
      return view == null ? undefined : `${view.state} ${view.transport ?? ''}`
    }, { timeout: 30_000, interval: 100 }).toBe('connected webrtc-direct')
    await peer.dispose()
    peer = undefined
  })

  it('keeps its certhash across a restart on the same data dir, and with --webrtc-direct-port off has none', async () => {
    const before = certhashOf(webRtcDirectAddress(relay))
    await relay.dispose()
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path])
    expect(relay.ready.peerId).toBeDefined()
    expect(certhashOf(webRtcDirectAddress(relay))).toBe(before)
    expect(relay.logs().some(l => l.msg === 'webrtc-direct certificate loaded' && l.certhash === before)).toBe(true)

    await relay.dispose()
    relay = await startRelayProcess([...RELAY_FLAGS, '--data-dir', dataDir.path, '--webrtc-direct-port', 'off'])
    expect(relay.ready.addresses.some(a => a.startsWith('webrtc-direct://'))).toBe(false)
  })
})
