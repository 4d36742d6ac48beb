// A Vitest browser provider for Debian's Firefox ESR, driven by puppeteer-core over WebDriver
// BiDi: Vitest's own providers need Playwright's patched Firefox build or geckodriver, neither of
// which exists here. It opens each test session's page and nothing else (no userEvent commands,
// no provider-level module mocking: core's browser tests use neither).
//
//   browser: { provider: puppeteerFirefox({ executablePath, prefs }), instances: [{ browser: 'firefox' }] }
import { defineBrowserProvider } from '@vitest/browser'
import puppeteer from 'puppeteer-core'
import { firefoxExecutable, firefoxPrefs } from './firefox.js'

/** @param {{ executablePath?: string, prefs?: Record<string, unknown>, headless?: boolean }} [options] */
export function puppeteerFirefox (options = {}) {
  return defineBrowserProvider({
    name: 'puppeteer-firefox',
    supportedBrowser: ['firefox'],
    options,
    providerFactory (project) {
      return new PuppeteerFirefoxProvider(project, options)
    }
  })
}

class PuppeteerFirefoxProvider {
  name = 'puppeteer-firefox'
  supportsParallelism = false
  /** @type {Promise<import('puppeteer-core').Browser> | undefined} */
  browser
  /** @type {Map<string, import('puppeteer-core').Page>} */
  pages = new Map()

  /** @param {{ browser: { registerCommand: (name: string, command: Function) => void } }} project @param {{ executablePath?: string, prefs?: Record<string, unknown>, headless?: boolean }} options */
  constructor (project, options) {
    this.project = project
    this.options = options
    // The commands Vitest's runner itself sends (the iframe's viewport; trace marks, which this
    // provider does not record).
    project.browser.registerCommand('__vitest_viewport', async (/** @type {{ page: import('puppeteer-core').Page }} */ context, /** @type {{ width: number, height: number }} */ size) => {
      await context.page.setViewport(size)
    })
    for (const name of ['__vitest_cleanup', '__vitest_deleteTracing', '__vitest_startChunkTrace', '__vitest_startTracing', '__vitest_stopChunkTrace', '__vitest_annotateTraces', '__vitest_markTrace', '__vitest_groupTraceStart', '__vitest_groupTraceEnd']) {
      project.browser.registerCommand(name, async () => {})
    }
  }

  launch () {
    this.browser ??= puppeteer.launch({
      browser: 'firefox',
      executablePath: this.options.executablePath ?? firefoxExecutable,
      headless: this.options.headless ?? true,
      extraPrefsFirefox: { ...firefoxPrefs, ...this.options.prefs }
    })
    return this.browser
  }

  /** @param {string} sessionId @param {string} url */
  async openPage (sessionId, url) {
    const browser = await this.launch()
    await this.pages.get(sessionId)?.close()
    const page = await browser.newPage()
    this.pages.set(sessionId, page)
    await page.goto(url, { timeout: 0 })
  }

  /** @param {string} sessionId */
  getCommandsContext (sessionId) {
    return { page: this.pages.get(sessionId) }
  }

  async close () {
    const browser = await this.browser
    this.browser = undefined
    await Promise.all([...this.pages.values()].map(async page => { await page.close().catch(() => {}) }))
    this.pages.clear()
    await browser?.close()
  }
}
