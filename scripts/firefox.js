// Where Firefox is and how we launch it, shared by core's Firefox browser tests
// (scripts/vitest-firefox.js) and the e2e Firefox test (e2e/firefox): Debian's Firefox ESR,
// driven by puppeteer-core over WebDriver BiDi. Override the binary with PEERMESH_FIREFOX.

/** PEERMESH_FIREFOX, else Debian's /usr/bin/firefox-esr. */
export const firefoxExecutable = process.env.PEERMESH_FIREFOX ?? '/usr/bin/firefox-esr'

/**
 * Preferences for a closed, loopback-only machine: host candidates as real addresses instead of
 * mDNS names that nothing here resolves (`obfuscate_host_addresses`: Firefox's counterpart of
 * Chromium's WebRtcHideLocalIpsWithMdns), no default STUN server, no Safe Browsing lookups.
 */
export const firefoxPrefs = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.default_iceservers': '[]',
  'network.dns.disablePrefetch': true,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false
}
