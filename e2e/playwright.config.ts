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

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './fixtures/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  // A retried pass shows up as "flaky" in the list reporter's summary and in the HTML report.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: './playwright-report' }]],
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
  }
})
