export declare const firefoxExecutable: string
export declare const firefoxPrefs: Record<string, unknown>
export declare function puppeteerFirefox (options?: { executablePath?: string, prefs?: Record<string, unknown>, headless?: boolean }): import('vitest/node').BrowserProviderOption
