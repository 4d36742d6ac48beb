/**
 * Words the relay's modules share (roles, log levels, listen addresses): a leaf module that imports
 * nothing, so `defaults.ts` and `options.ts` no longer import each other (options imports the
 * defaults; both import these). `options.ts` re-exports them.
 */

/** `relay`: WebSocket entry point, circuit relay and bootstrap. `peer`: a plain member joining over WebRTC. */
export type RelayRole = 'relay' | 'peer'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFormat = 'pretty' | 'json'

/** Where the HTTP server listens. */
export interface HttpAddress {
  /** Host name or IP literal, without IPv6 brackets. */
  host: string
  /** TCP port, 0 for any free port. */
  port: number
}
