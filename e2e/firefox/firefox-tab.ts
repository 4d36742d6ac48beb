/**
 * A tab of Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi (Playwright drives
 * only its own patched Firefox build). It speaks the page's documented test hooks, like MeshPage;
 * every wait is `page.waitForFunction` on the DOM (a state), never a sleep.
 * Binary and preferences: scripts/firefox.js (PEERMESH_FIREFOX overrides the binary).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { firefoxExecutable, firefoxPrefs } from '../../scripts/firefox.js'
import { selectedPairs, trackPeerConnections, type SelectedPair } from '../fixtures/ice-stats.js'

export async function launchFirefox (): Promise<Browser> {
  return await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxExecutable,
    headless: true,
    extraPrefsFirefox: firefoxPrefs
  })
}

const peerIdPattern = '^(?:[1-9A-HJ-NP-Za-km-z]{46,}|b[a-z2-7]{50,})$'

export class FirefoxTab {
  private constructor (readonly page: Page, readonly name: string) {}

  /** Opens `url` in a new tab of `browser`, with RTCPeerConnections tracked for getStats(). */
  static async open (browser: Browser, url: string, name = 'firefox tab'): Promise<FirefoxTab> {
    const page = await browser.newPage()
    await page.evaluateOnNewDocument(trackPeerConnections)
    await page.goto(url)
    return new FirefoxTab(page, name)
  }

  async selfId (timeout = 15_000): Promise<string> {
    const handle = await this.page.waitForFunction((pattern) => {
      const text = document.querySelector('[data-testid=self-id]')?.textContent?.trim() ?? ''
      return new RegExp(pattern).test(text) ? text : false
    }, { timeout, polling: 'mutation' }, peerIdPattern)
    return await handle.jsonValue() as string
  }

  /** Waits until the peer table lists `peerId` as connected over `transport`. */
  async expectConnectedTo (peerId: string, transport: string, timeout = 30_000): Promise<void> {
    await this.waitFor(`${this.name} is connected to ${peerId} over ${transport}`, timeout, ([id, via]) =>
      document.querySelector(`[data-testid=peer-row][data-peer-id="${id}"][data-state=connected][data-transport="${via}"]`) !== null,
    [peerId, transport])
  }

  async sendChat (text: string): Promise<void> {
    await this.page.locator('[data-testid=chat-input]').fill(text)
    await this.page.locator('[data-testid=chat-send]').click()
  }

  /** Waits until `text` is shown exactly once, attributed to `peerId`, and under no other sender. */
  async expectChatFrom (peerId: string, text: string, timeout = 30_000): Promise<void> {
    await this.waitFor(`${this.name} shows "${text}" from ${peerId} once`, timeout, ([from, message]) => {
      const all = [...document.querySelectorAll('[data-testid=chat-message]')].filter(m => (m.textContent ?? '').includes(message!))
      return all.length === 1 && all[0]!.getAttribute('data-from') === from
    }, [peerId, text])
  }

  /** The selected candidate pair of every connected RTCPeerConnection (the test's own getStats()). */
  async selectedPairs (): Promise<SelectedPair[]> {
    return await this.page.evaluate(selectedPairs)
  }

  private async waitFor (what: string, timeout: number, check: (args: string[]) => boolean, args: string[]): Promise<void> {
    try {
      await this.page.waitForFunction(check, { timeout, polling: 'mutation' }, args)
    } catch (err) {
      throw new Error(`${what}: not within ${timeout} ms (${err instanceof Error ? err.message : String(err)})`, { cause: err })
    }
  }
}
