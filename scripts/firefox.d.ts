export declare const firefoxExecutable: string
export declare const firefoxPrefs: Record<string, unknown>
