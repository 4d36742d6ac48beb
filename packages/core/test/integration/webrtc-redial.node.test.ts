/**
 * Reproduces the @libp2p/webrtc 6.0.33 redial race (docs/webrtc-redial-race.md): Node↔Node
 * WebRTC through a relay, closing and redialling the same peer. Unpatched, ~15–25% of redials
 * hang until libp2p's 6 s address-dial timeout; with patches/@libp2p+webrtc+6.0.33.patch every
 * redial opens in well under a second.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebRtcFixture, webRtcAddressOf } from './webrtc-fixture.js'

const REDIALS = 20
/** A healthy Node↔Node dial opens in ~60–250 ms here; a hung one ends at the 6 s address-dial timeout. */
const HUNG_DIAL_MS = 3_000

interface RedialResult {
  attempt: number
  durationMs: number
  outcome: 'open' | 'failed'
  error?: string
  /** Set when the graceful close after the dial timed out and libp2p aborted the connection. */
  closeError?: string
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

describe('WebRTC redial to the same peer (Node↔Node through a relay)', () => {
  const fixture = new WebRtcFixture()
  afterEach(async () => { await fixture.stopAll() })

  it(`opens every one of ${REDIALS} redials well under the 6 s address-dial timeout`, async () => {
    const relay = await fixture.startRelay()
    const alice = await fixture.startMemberOn(relay)
    const bob = await fixture.startMemberOn(relay)
    const aliceAddress = webRtcAddressOf(alice)

    const results: RedialResult[] = []
    for (let attempt = 1; attempt <= REDIALS; attempt++) {
      const startedAt = performance.now()
      let result: RedialResult
      try {
        const connection = await bob.dial(aliceAddress)
        result = { attempt, durationMs: performance.now() - startedAt, outcome: 'open' }
        expect(connection.status).toBe('open')
        expect(connection.remoteAddr.toString()).toContain('/webrtc')
        expect(connection.limits).toBeUndefined()
        // The connection carries a protocol both ways before we close it.
        expect(await bob.services.ping.ping(alice.peerId)).toBeGreaterThanOrEqual(0)
        // A graceful close may give up on a half-closed stream after libp2p's 1 s
        // connectionCloseTimeout and abort the connection: that still closes it.
        await connection.close().catch((err: Error) => { result.closeError = err.name })
      } catch (err) {
        result = { attempt, durationMs: performance.now() - startedAt, outcome: 'failed', error: (err as Error).name }
      }
      results.push(result)
      console.info(`[webrtc-redial] attempt ${attempt}: ${result.outcome} after ${result.durationMs.toFixed(0)} ms${result.error != null ? ` (${result.error})` : ''}${result.closeError != null ? ` [close: ${result.closeError}]` : ''}`)
      // Redial only once bob holds no unlimited (i.e. WebRTC) connection to alice any more.
      await vi.waitFor(() => {
        expect(bob.getConnections(alice.peerId).filter((c) => c.limits == null && c.status === 'open').map((c) => c.remoteAddr.toString())).toEqual([])
      }, { timeout: 15_000, interval: 10 })
    }

    const opened = results.filter((r) => r.outcome === 'open')
    const slow = results.filter((r) => r.outcome === 'failed' || r.durationMs > HUNG_DIAL_MS)
    console.info(
      `[webrtc-redial] ${opened.length}/${REDIALS} opened; dial→open median ${median(opened.map((r) => r.durationMs)).toFixed(0)} ms, ` +
      `max ${Math.max(...opened.map((r) => r.durationMs)).toFixed(0)} ms; hung or failed: ${slow.length} ` +
      JSON.stringify(slow.map((r) => ({ attempt: r.attempt, ms: Math.round(r.durationMs), outcome: r.outcome, error: r.error })))
    )
    expect(slow).toEqual([])
  }, 240_000)
})
