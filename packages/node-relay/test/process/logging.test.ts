/**
 * What an operator reads on stderr: a failed dial names its error (it used to read
 * `"error":"[object Object]"`: the WebSocket transport threw its 'error' event, not an Error).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { RELAY_FLAGS, startRelayProcess, tempDataDir, type RelayProcess } from '../support/relay-process.js'

describe('the relay\'s log', () => {
  let relay: RelayProcess | undefined
  let dir: Awaited<ReturnType<typeof tempDataDir>> | undefined
  afterAll(async () => {
    await relay?.dispose()
    await dir?.remove()
  })

  it('names the error of a failed dial', async () => {
    dir = await tempDataDir()
    // a bootstrap address nobody listens on (port 1 on loopback refuses at once)
    relay = await startRelayProcess([...RELAY_FLAGS, '--log-level', 'debug', '--data-dir', dir.path, '--bootstrap', 'ws://12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN@127.0.0.1:1'])
    await expect.poll(() => relay!.logs().filter(e => e.msg === 'dial failed' && e.error != null).length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0)
    const failure = relay.logs().find(e => e.msg === 'dial failed' && e.error != null)
    expect(failure?.error).not.toContain('[object Object]')
    expect(failure?.error).toMatch(/^ConnectionFailedError: Could not connect to ws:\/\/127\.0\.0\.1:1.*ECONNREFUSED/)
  })
})
