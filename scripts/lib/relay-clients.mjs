// A worker process of scripts/bench-relay.mjs: holds many lightweight libp2p clients (WebSockets,
// noise, yamux, identify, circuit relay transport listening on /p2p-circuit), each connected to
// one relay and holding a reservation on it. Driven over IPC:
//   { add: n, relay: '<ws multiaddr>' } → adds n clients, answers { reserved, failed, reasons }
//   { stop: true } → stops them all and exits.
import '@peermesh/core/shims/node'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { WebSocket as WsWebSocket } from 'ws'

// Clients come from many addresses, as in the world: the relay's peer manager admits at most
// `maxAddressesPerGroup` peers per address group, and libp2p 5 new connections per second per
// host, so one shared 127.0.0.1 would measure those limits instead of the relay. Every client
// dials from its own loopback address (Linux routes all of 127.0.0.0/8 to lo), 20 per /16 group.
const WORKER = Number(process.env.PEERMESH_BENCH_WORKER ?? 0)
let nextSource = 0
globalThis.WebSocket = class extends WsWebSocket {
  constructor (url, protocols) {
    const c = nextSource++
    super(url, protocols, { localAddress: `127.${1 + ((WORKER * 60 + Math.floor(c / 20)) % 250)}.${(c % 20) + 1}.${WORKER + 1}` })
  }
}

const clients = []

async function addClient (relay, timeoutMs) {
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
  const reserved = new Promise((resolve) => {
    const check = () => {
      if (node.getMultiaddrs().some((ma) => ma.toString().includes('/p2p-circuit'))) {
        node.removeEventListener('self:peer:update', check)
        resolve(true)
      }
    }
    node.addEventListener('self:peer:update', check)
  })
  try {
    await node.dial(multiaddr(relay), { signal: AbortSignal.timeout(timeoutMs) })
    let timer
    const ok = await Promise.race([reserved, new Promise((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })])
    clearTimeout(timer)
    if (!ok) throw new Error(node.getConnections().length > 0 ? 'connected, no reservation in time' : 'connection closed, no reservation')
    clients.push(node)
  } catch (err) {
    // A refused client leaves: it holds nothing on the relay, and nothing here.
    await node.stop().catch(() => {})
    throw err
  }
}

process.on('message', async (msg) => {
  if (msg.stop === true) {
    await Promise.allSettled(clients.map(async (n) => { await n.stop() }))
    process.exit(0)
  }
  let reserved = 0
  let failed = 0
  const reasons = {}
  // Paced (`intervalMs` between this worker's starts, set by the bench): libp2p also admits only
  // `maxIncomingPendingConnections` (10) upgrades at once.
  const started = []
  if (msg.add > 0) await new Promise((resolve) => setTimeout(resolve, msg.offsetMs ?? 0))
  for (let i = 0; i < msg.add; i++) {
    // settled at once, so a refusal during the pacing is never an unhandled rejection
    started.push(addClient(msg.relay, msg.timeoutMs ?? 10_000).then(() => ({ status: 'fulfilled' }), (reason) => ({ status: 'rejected', reason })))
    if (i < msg.add - 1) await new Promise((resolve) => setTimeout(resolve, msg.intervalMs ?? 0))
  }
  for (const r of await Promise.all(started)) {
    if (r.status === 'fulfilled') reserved++
    else {
      failed++
      const reason = String(r.reason?.message ?? r.reason).slice(0, 80)
      reasons[reason] = (reasons[reason] ?? 0) + 1
    }
  }
  const connected = clients.filter((n) => n.getConnections().length > 0).length
  process.send({ reserved, failed, reasons, connected, held: clients.length })
})
process.send({ ready: true })
