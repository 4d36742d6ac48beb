import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RELAY_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

const SECRET = 'lab-static-auth-secret'
const TTL_SECONDS = 600

interface Bootstrap {
  iceServers: Array<{ urls: string | string[], username?: string, credential?: string }>
}

describe('a relay configured with STUN, TURN and a TURN secret', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>
  let relay: RelayProcess

  beforeAll(async () => {
    dataDir = await tempDataDir()
    relay = await startRelayProcess([
      ...RELAY_FLAGS,
      '--data-dir', dataDir.path,
      '--ice-servers', 'stun:198.19.0.10:3478,turn:198.19.0.10:3478?transport=udp',
      '--turn-credential-ttl', String(TTL_SECONDS)
    ], { PEERMESH_TURN_SECRET: SECRET })
  })

  afterAll(async () => {
    await relay?.dispose()
    await dataDir?.remove()
  })

  it('hands pages its ICE servers in /api/bootstrap, with a TURN credential coturn accepts', async () => {
    const before = Math.floor(Date.now() / 1000)
    const { iceServers } = await relay.getJson<Bootstrap>('/api/bootstrap')
    const after = Math.ceil(Date.now() / 1000)
    expect(iceServers[0]).toEqual({ urls: 'stun:198.19.0.10:3478' })
    const turn = iceServers[1]!
    expect(turn.urls).toBe('turn:198.19.0.10:3478?transport=udp')
    const [expiry, name] = (turn.username ?? '').split(':')
    expect(name).toBe('peermesh')
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL_SECONDS)
    expect(Number(expiry)).toBeLessThanOrEqual(after + TTL_SECONDS)
    // what coturn computes from its static-auth-secret for that username
    expect(turn.credential).toBe(createHmac('sha1', SECRET).update(turn.username!).digest('base64'))
  })

  it('never puts the secret itself in the answer', async () => {
    const res = await fetch(`${relay.http}/api/bootstrap`)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.text()).not.toContain(SECRET)
  })
})
