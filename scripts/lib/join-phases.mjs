// What the tab-joining benchmarks (bench-tabs.mjs, bench-nat.mjs) time in a page, and their
// medians. The phases come from the page's own test hooks, on the page's clock.

/**
 * Installed before the page's own scripts: records in `window.__joinTimes` when each phase was
 * first reached (performance.now() since navigation start), sampled every animation frame:
 * `id` (peer ID shown; `selfId` holds it), `relay` (connected to a relay over WebSocket),
 * `known` (lists the first tab), `direct` (connected to it over WebRTC).
 * @param {string} firstTabId
 */
export function recordPhases (firstTabId) {
  const times = {}
  window.__joinTimes = times
  const check = () => {
    const self = document.querySelector('[data-testid=self-id]')?.textContent?.trim() ?? ''
    const now = performance.now()
    if (times.id === undefined && /^[1-9A-HJ-NP-Za-km-z]{46,}$/.test(self)) { times.id = now; times.selfId = self }
    if (times.relay === undefined && document.querySelector('[data-testid=peer-row][data-state=connected][data-transport=websocket]') != null) times.relay = now
    const first = document.querySelector(`[data-testid=peer-row][data-peer-id="${firstTabId}"]`)
    if (times.known === undefined && first != null) times.known = now
    if (times.direct === undefined && first?.getAttribute('data-state') === 'connected' && first.getAttribute('data-transport') === 'webrtc') times.direct = now
    if (times.direct === undefined) requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
}

/** @param {number[]} values */
export function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The page's peer ID once it shows one. @param {import('playwright').Page} page @param {number} timeoutMs */
export async function selfId (page, timeoutMs) {
  const handle = await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid=self-id]')?.textContent?.trim() ?? ''
    return /^[1-9A-HJ-NP-Za-km-z]{46,}$/.test(text) ? text : false
  }, undefined, { timeout: timeoutMs, polling: 50 })
  return await handle.jsonValue()
}
