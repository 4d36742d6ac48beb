export interface Home {
  /** `a`, `b`, `c`. */
  readonly name: string
  /** `home`: endpoint-independent mapping (a home router); `symmetric`: a new public port per destination. */
  readonly nat: 'home' | 'symmetric'
  /** The home's namespace (where its browser or Node peer runs). */
  readonly netns: string
  /** Its router's namespace. */
  readonly router: string
  /** The home host's own (private) address. */
  readonly ip: string
  readonly gateway: string
  /** The router's public address on the lab's "internet". */
  readonly wanIp: string
}
export interface Step { argv: string[], input?: string }
export declare const PREFIX: string
export declare const INET: string
export declare const SERVER_IP: string
export declare const SERVER_IP_2: string
export declare const HOMES: readonly Home[]
export declare const TURN_PORT: number
export declare const TURN_RELAY_PORTS: { readonly min: number, readonly max: number }
export declare const TURN_REALM: string
export declare function homeByName (name: string): Home
export declare function setupSteps (): Step[]
export declare function labNamespaces (): string[]
export declare function teardown (): string[]
export declare function setup (): void
export declare function cannotRunReason (): string | undefined
export declare function coturnConfig (options: { dir: string, secret: string }): string
export declare function coturnCommand (configFile: string): string[]
export declare function setupScript (): string
