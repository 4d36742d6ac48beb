/**
 * Attackers for the abuse tests and the abuse benchmark: real sockets on loopback, each from a
 * chosen local address in 127.0.0.0/8 (Linux routes the whole block to the loopback interface), so
 * that "many addresses" and "one address" are both real.
 */
import { get } from 'node:http'
import { connect } from 'node:net'

/** Opens `count` TCP sockets to `port` from `localAddress` that never send a byte; resolves once all are connected or refused. */
export async function silentSockets (port, count, localAddress = '127.0.0.1') {
  return await Promise.all(Array.from({ length: count }, async () => await new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    socket.on('error', () => {})
    socket.resume() // read what the server sends, so that its close is seen
    socket.once('connect', () => { resolve(socket) })
    socket.once('close', () => { resolve(socket) })
  })))
}

/** Silent sockets spread over `addresses` local addresses 127.0.<a>.<b>, `perAddress` each. */
export async function silentSocketsFromMany (port, addresses, perAddress) {
  const all = []
  for (let i = 0; i < addresses; i++) {
    all.push(...await silentSockets(port, perAddress, `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`))
  }
  return all
}

export function openCount (sockets) {
  return sockets.filter(s => !s.destroyed && s.readyState === 'open').length
}

export function destroyAll (sockets) {
  for (const s of sockets) s.destroy()
}

/** GET `url` on a new connection (as a new client would), with a deadline: the status and how long it took, ms. */
export async function timedGet (url, deadlineMs = 2_000) {
  const startedAt = performance.now()
  return await new Promise((resolve, reject) => {
    const req = get(url, { agent: false, signal: AbortSignal.timeout(deadlineMs) }, res => {
      res.resume()
      res.once('end', () => { resolve({ status: res.statusCode ?? 0, ms: performance.now() - startedAt }) })
      res.once('error', reject)
    })
    req.once('error', reject)
  })
}

/** Sends `text` one byte every `intervalMs`; resolves with the ms until the server closed the socket. */
export async function trickle (port, text, intervalMs, deadlineMs) {
  return await new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const startedAt = performance.now()
    let i = 0
    socket.on('error', () => {})
    socket.resume()
    const timer = setInterval(() => { if (!socket.destroyed && i < text.length) socket.write(text[i++] ?? '') }, intervalMs)
    const deadline = setTimeout(() => { clearInterval(timer); socket.destroy(); reject(new Error(`still open after ${deadlineMs} ms`)) }, deadlineMs)
    socket.once('close', () => { clearInterval(timer); clearTimeout(deadline); resolve(performance.now() - startedAt) })
  })
}

const UPGRADE_REQUEST = 'GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'

/**
 * Opens a WebSocket to `port` (the handshake written by hand) and then never speaks: no
 * multistream-select, no Noise. Resolves with the socket and whether the upgrade was answered 101.
 */
export async function upgradedSilentSocket (port, localAddress = '127.0.0.1') {
  return await new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    let answer = ''
    let settled = false
    const settle = (upgraded) => { if (!settled) { settled = true; resolve({ socket, upgraded }) } }
    socket.on('error', () => {})
    socket.once('connect', () => { socket.write(UPGRADE_REQUEST) })
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
      if (answer.includes('\r\n\r\n')) settle(answer.startsWith('HTTP/1.1 101'))
    })
    socket.once('close', () => { settle(false) })
  })
}
