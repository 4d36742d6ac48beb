/**
 * The page's unit tests. Pure parts (graph diffing, invite links, slot order, formatting) run in
 * Node; `*.browser.test.ts` run in real headless Chromium (Vitest browser mode through
 * Playwright) where they need the real thing: Web Locks, sessionStorage, the DOM.
 * The page as a whole runs in Chromium in scripts/screenshot.mjs and the e2e suite.
 */
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { chromiumExecutable, chromiumArgs } from '../../scripts/chromium.js'

// Node 20 has no Map.groupBy, which Vitest 5's reporter calls to print failures; without it a
// failing test shows only a reporter crash. Added here, in the process that runs the reporter.
if (!('groupBy' in Map)) {
  const groupBy = <K, V>(items: Iterable<V>, keyOf: (item: V, index: number) => K): Map<K, V[]> => {
    const groups = new Map<K, V[]>()
    let index = 0
    for (const item of items) {
      const key = keyOf(item, index++)
      groups.set(key, [...(groups.get(key) ?? []), item])
    }
    return groups
  }
  Object.defineProperty(Map, 'groupBy', { value: groupBy, configurable: true, writable: true })
}

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
