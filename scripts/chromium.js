// Where Chromium is and how we launch it, shared by core's browser tests, the e2e suite and the
// screenshot script. Override with PEERMESH_CHROMIUM (or PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH);
// otherwise Debian's /usr/bin/chromium; otherwise Playwright's own browser (undefined path).
import { existsSync } from 'node:fs'

/** @returns {string | undefined} */
export function chromiumExecutable () {
  const fromEnv = process.env.PEERMESH_CHROMIUM ?? process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH
  if (fromEnv != null && fromEnv !== '') return fromEnv
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** The one line printed when no browser can be found or installed. */
export const howToGetChromium = 'peermesh: no Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install chromium`, or `npx playwright install chromium`) or set PEERMESH_CHROMIUM=/path/to/chrome.'

/** Flags for a closed, loopback-only machine; no mDNS ICE candidates, no public STUN. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
]
