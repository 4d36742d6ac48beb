/**
 * Firefox ESR and Chromium in one mesh: a Firefox tab and two Chromium tabs on one relay (loopback)
 * link directly over WebRTC, each way, and chat. The direct links are checked in Firefox's own
 * getStats() (a selected candidate pair per Chromium tab), not only in the peer tables.
 */
import { test, expect } from '../fixtures/test.js'
import { peerIdsOf } from '../fixtures/mesh.js'
import { describePair } from '../fixtures/ice-stats.js'
import { FirefoxTab, launchFirefox } from './firefox-tab.js'

test('a Firefox tab and two Chromium tabs link directly over WebRTC and chat', async ({ freshRelay, tabs }, testInfo) => {
  const firefox = await launchFirefox()
  try {
    const fox = await FirefoxTab.open(firefox, freshRelay.url('/'))
    const chromiumTabs = await tabs.openMany(2, freshRelay)
    const foxId = await fox.selfId()
    const ids = await peerIdsOf(chromiumTabs)
    expect(ids, 'the Firefox tab has an identity of its own').not.toContain(foxId)

    for (const [i, tab] of chromiumTabs.entries()) {
      await fox.expectConnectedTo(ids[i]!, 'webrtc')
      await tab.expectConnectedTo(foxId, { transport: 'webrtc', timeout: 30_000 })
    }
    await chromiumTabs[0]!.expectConnectedTo(ids[1]!, { transport: 'webrtc' })

    // Firefox's own view: one connected peer connection per Chromium tab, with a selected pair.
    let pairs = await fox.selectedPairs()
    await expect.poll(async () => (pairs = await fox.selectedPairs()).length, {
      message: 'Firefox has a connected RTCPeerConnection with a selected candidate pair for each Chromium tab'
    }).toBeGreaterThanOrEqual(2)
    testInfo.annotations.push({ type: 'firefox selected pairs', description: pairs.map(describePair).join('; ') })
    for (const pair of pairs) expect(pair.local.type, `a direct link on this machine pairs host candidates: ${describePair(pair)}`).toBe('host')

    await fox.sendChat('hello from Firefox')
    for (const tab of chromiumTabs) await tab.expectChatFrom(foxId, 'hello from Firefox', { timeout: 30_000 })
    await chromiumTabs[1]!.sendChat('hello from Chromium')
    await fox.expectChatFrom(ids[1]!, 'hello from Chromium')
  } finally {
    await firefox.close()
  }
})
