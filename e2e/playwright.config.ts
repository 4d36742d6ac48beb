/**
 * The e2e suite: real Chromium tabs against real `peermesh-relay` processes.
 * One worker: on 2 cores the tabs, not the tests, saturate the CPU.
 */
import { existsSync } from 'node:fs'
import { chromium, defineConfig } from '@playwright/test'
import { chromiumArgs, chromiumExecutable, howToGetChromium } from '../scripts/chromium.js'

/** PEERMESH_CHROMIUM / PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH, /usr/bin/chromium, or Playwright's own. */
function browserExecutable (): string {
  const configured = chromiumExecutable()
  if (configured != null && existsSync(configured)) return configured
  const bundled = chromium.executablePath()
  if (configured == null && existsSync(bundled)) return bundled
  console.error(configured == null ? howToGetChromium : `peermesh: the configured Chromium ${configured} does not exist; fix PEERMESH_CHROMIUM / PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH or unset it.`)
  process.exit(1)
}

/**
 * A headed browser can open a window: a display exists (DISPLAY / WAYLAND_DISPLAY on Linux, e.g.
 * under xvfb-run; always elsewhere). Only then is the `desktop` project defined.
 */
const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY
/** `npm run test:desktop` runs only the desktop project; its HTML report must not replace the headless run's. */
const desktopOnly = process.argv.includes('--project=desktop')

/**
 * Whether `--project=<name>` (or `--project <name>`) was asked for. Workers do not see the command
 * line, so the answer is passed on to them in the environment.
 */
function projectRequested (name: string): boolean {
  const variable = `PEERMESH_E2E_PROJECT_${name.toUpperCase()}`
  if (process.argv.some((arg, i) => arg === `--project=${name}` || (arg === '--project' && process.argv[i + 1] === name))) {
    process.env[variable] = '1'
  }
  return process.env[variable] === '1'
}
/**
 * The NAT lab (`npm run test:nat`: network namespaces, nftables and coturn, as root) and Firefox
 * (`npm run test:firefox`) are defined only when asked for by name, so a plain
 * `npx playwright test` still runs what it always did.
 */
const natRun = projectRequested('nat')
const firefoxRun = projectRequested('firefox')
const reportFolder = desktopOnly ? './playwright-report/desktop' : natRun ? './playwright-report/nat' : firefoxRun ? './playwright-report/firefox' : './playwright-report'

export default defineConfig({
  testDir: './tests',
  globalSetup: './fixtures/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  // A retried pass shows up as "flaky" in the list reporter's summary and in the HTML report.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: reportFolder }]],
  timeout: 120_000,
  expect: { timeout: 15_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: browserExecutable(), args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000
  },
  projects: [
    // Every scenario, in headless Chromium: what `npm test` runs.
    { name: 'headless', outputDir: './test-results/headless' },
    // The scenarios tagged @desktop (two tabs, six tabs and the graph, chat, reload, tabs of one
    // window) in a normal, windowed Chromium: `npm run test:desktop -w @peermesh/e2e`.
    ...(hasDisplay ? [{ name: 'desktop', outputDir: './test-results/desktop', grep: /@desktop/, use: { headless: false } }] : []),
    // Tabs in home networks behind NAT routers (nat/*.spec.ts); each test launches its browsers
    // inside the homes' namespaces itself. `npm run test:nat -w @peermesh/e2e`, as root.
    ...(natRun ? [{ name: 'nat', testDir: './nat', outputDir: './test-results/nat', timeout: 90_000 }] : []),
    // A Firefox tab (puppeteer-core over WebDriver BiDi) in one mesh with Chromium tabs.
    ...(firefoxRun ? [{ name: 'firefox', testDir: './firefox', outputDir: './test-results/firefox' }] : [])
  ]
})
