/**
 * Node.js 20 shim for libp2p 3. Import it, first, from every Node entry point:
 *
 * ```ts
 * import '../shims/node.js'
 * ```
 *
 * What it fills in, only when missing (so it is idempotent and a no-op on Node ≥ 22):
 *
 * - `Promise.withResolvers` (ES2024, Node ≥ 22): libp2p, it-queue and mortice call it; without
 *   it `node.stop()` throws.
 * - `globalThis.WebSocket` (Node ≥ 22): `@libp2p/websockets` dials with the global WebSocket
 *   ("WebSocket is not defined" on Node 20); listening already uses `ws`. We install the `ws`
 *   package's client, which implements the same WHATWG-style API that transport uses
 *   (`binaryType`, `onopen`/`onmessage`/`onclose`/`onerror`, `send`, `close`, `bufferedAmount`),
 *   and which, like a browser's, never throws an error event that has no listener.
 *
 * Never import this file from browser code: it pulls in `ws`.
 */
import { WebSocket as WsWebSocket } from 'ws'

/**
 * The `ws` client with a browser's error semantics. `ws`'s WebSocket is a Node EventEmitter, and
 * an EventEmitter throws an `error` event nobody listens to: `@libp2p/websockets` stops listening
 * when a dial is aborted (its `pEvent` removes the listeners) and leaves the socket connecting, so
 * a later `connect ECONNRESET` (a relay refusing one more socket) was an uncaught exception that
 * ended the process. A WHATWG WebSocket ignores an error event without listeners: so does this
 * one; listeners (`onerror`, `addEventListener('error')`) still get every error.
 */
class NodeWebSocket extends WsWebSocket {
  constructor (...args: ConstructorParameters<typeof WsWebSocket>) {
    super(...args)
    this.on('error', ignoreUnobservedError)
  }
}

function ignoreUnobservedError (): void {}

/** What {@link installNodeShims} changed on this call (all false when nothing was missing). */
export interface InstalledNodeShims {
  promiseWithResolvers: boolean
  webSocket: boolean
}

interface PromiseResolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

function withResolvers<T> (): PromiseResolvers<T> {
  let resolve!: (value: T | PromiseLike<T>) => void
  let reject!: (reason?: unknown) => void
  const promise = new Promise<T>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise
    reject = rejectPromise
  })
  return { promise, resolve, reject }
}

/**
 * Install the missing globals. Safe to call any number of times; returns what it installed.
 */
export function installNodeShims (): InstalledNodeShims {
  const installed: InstalledNodeShims = { promiseWithResolvers: false, webSocket: false }

  if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
    Object.defineProperty(Promise, 'withResolvers', {
      value: withResolvers,
      writable: true,
      configurable: true,
      enumerable: false
    })
    installed.promiseWithResolvers = true
  }

  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
    Object.defineProperty(globalThis, 'WebSocket', {
      value: NodeWebSocket,
      writable: true,
      configurable: true,
      enumerable: false
    })
    installed.webSocket = true
  }

  return installed
}

installNodeShims()
