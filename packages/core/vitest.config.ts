/**
 * Core's unit tests run twice: in Node and in real headless Chromium (Vitest browser mode through
 * Playwright), so "the same core runs in a tab" is proven, not assumed.
 *
 * Runtime-specific modules come in pairs `name.node.ts` / `name.browser.ts`; code imports
 * `./name.node.js`. The package.json `browser` map swaps the built files for bundlers; the
 * `swapRuntimeModules` plugin below does the same for the sources in the Chromium project.
 */
import '../../scripts/node20-polyfills.js'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import { chromiumExecutable, chromiumArgs } from '../../scripts/chromium.js'

function swapRuntimeModules (): Plugin {
  return {
    name: 'peermesh:swap-runtime-modules',
    enforce: 'pre',
    resolveId (source, importer) {
      if (importer == null || !source.startsWith('.') || !source.endsWith('.node.js')) return null
      const candidate = resolve(dirname(importer), source.replace(/\.node\.js$/, '.browser.ts'))
      return existsSync(candidate) ? candidate : null
    }
  }
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000
        }
      },
      {
        plugins: [swapRuntimeModules()],
        test: {
          name: 'chromium',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts', 'test/integration/**'],
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
