#!/usr/bin/env node
// Makes sure a Chromium is available for the browser tests (core's Chromium project and e2e).
// Order: PEERMESH_CHROMIUM / PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, /usr/bin/chromium, Playwright's
// own browser; where none exists and we are root on Debian/Ubuntu, installs Debian's chromium.
// Otherwise exits 1 with one line saying how to get a browser.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromiumExecutable, howToGetChromium } from './chromium.js'

async function playwrightBrowser () {
  try {
    const { chromium } = await import('playwright')
    const path = chromium.executablePath()
    return existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

const found = chromiumExecutable() ?? await playwrightBrowser()
if (found != null) {
  process.exit(0)
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
if (isRoot && existsSync('/usr/bin/apt-get')) {
  console.error('peermesh: no Chromium found; installing Debian\'s chromium package (apt-get)…')
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (chromiumExecutable() != null) process.exit(0)
}
console.error(howToGetChromium)
process.exit(1)
