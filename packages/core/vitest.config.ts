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
import type { UserWorkspaceConfig } from 'vitest/node'
import { playwright } from '@vitest/browser-playwright'
import { chromiumExecutable, chromiumArgs } from '../../scripts/chromium.js'
import { puppeteerFirefox } from '../../scripts/vitest-firefox.js'

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

/**
 * The same browser tests in Debian's Firefox ESR (`npx vitest run --project firefox`), through
 * puppeteer-core over WebDriver BiDi (scripts/vitest-firefox.js). Defined only when asked for by
 * name, so `vitest run` (npm test) runs what it always did; workers learn it from the environment.
 */
if (process.argv.some((arg, i) => arg === '--project=firefox' || (arg === '--project' && process.argv[i + 1] === 'firefox'))) {
  process.env.PEERMESH_VITEST_FIREFOX = '1'
}
const firefoxRequested = process.env.PEERMESH_VITEST_FIREFOX === '1'

const config = defineConfig({
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
        // 100 real nodes: a minute or more of CPU, run by `npm test` after the node project and on
        // its own by `npm run test:scale`
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

if (firefoxRequested) {
  // The chromium project as it is, with Firefox as the browser.
  type InlineProject = { test: NonNullable<UserWorkspaceConfig['test']> } & UserWorkspaceConfig
  const projects = config.test!.projects as InlineProject[]
  const chromium = projects.find(project => project.test.name === 'chromium')!
  projects.push({
    ...chromium,
    test: {
      ...chromium.test,
      name: 'firefox',
      browser: { ...chromium.test.browser, provider: puppeteerFirefox(), instances: [{ browser: 'firefox' }] }
    }
  })
}

export default config
