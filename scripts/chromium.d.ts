export declare function chromiumExecutable (): string | undefined
export declare const chromiumArgs: string[]
export declare const howToGetChromium: string
