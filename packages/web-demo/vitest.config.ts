/**
 * The page's unit tests. Pure parts (graph diffing, invite links, slot order, formatting) run in
 * Node; `*.browser.test.ts` run in real headless Chromium (Vitest browser mode through
 * Playwright) where they need the real thing: Web Locks, sessionStorage, the DOM.
 * The page as a whole runs in Chromium in scripts/screenshot.mjs and the e2e suite.
 */
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { chromiumExecutable, chromiumArgs } from '../../scripts/chromium.js'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts']
        }
      },
      {
        test: {
          name: 'chromium',
          include: ['test/**/*.browser.test.ts'],
          testTimeout: 30_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumExecutable(), args: chromiumArgs }
            }),
            instances: [{ browser: 'chromium' }]
          }
        }
      }
    ]
  }
})
