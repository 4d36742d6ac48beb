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
          exclude: ['test/**/*.browser.test.ts', 'test/scale/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000
        }
      },
      {
        // 100 real nodes: minutes of CPU, a command of its own (`npm run test:scale`)
        test: {
          name: 'scale',
          environment: 'node',
          include: ['test/scale/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 60_000
        }
      },
      {
        plugins: [swapRuntimeModules()],
        // Pre-bundle every dependency the browser tests import, so that Vite never discovers one
        // mid-run on a fresh cache and reloads the page (which silently loses test files).
        optimizeDeps: {
          include: [
            '@libp2p/circuit-relay-v2',
            '@libp2p/crypto/keys',
            '@libp2p/identify',
            '@libp2p/memory',
            '@libp2p/noise',
            '@libp2p/ping',
            '@libp2p/webrtc',
            '@libp2p/websockets',
            '@libp2p/yamux',
            'libp2p',
            '@libp2p/interface',
            '@libp2p/peer-id',
            '@libp2p/utils',
            '@libp2p/gossipsub',
            '@multiformats/multiaddr',
            '@multiformats/multiaddr-matcher',
            'fast-check',
            'idb-keyval',
            'protons-runtime',
            'uint8arraylist',
            'uint8arrays/to-string'
          ]
        },
        test: {
          name: 'chromium',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts', 'test/integration/**', 'test/scale/**'],
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
