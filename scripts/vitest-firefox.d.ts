export declare function puppeteerFirefox (options?: { executablePath?: string, prefs?: Record<string, unknown>, headless?: boolean }): import('vitest/node').BrowserProviderOption
