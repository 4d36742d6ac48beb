/**
 * Real parts for the peer exchange tests: a small in-memory book, a reporter that records what it
 * is told, real libp2p nodes over the memory transport, and raw streams for hostile peers.
 */
import '../../src/shims/node.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { memory } from '@libp2p/memory'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { parseNodeAddress, type NodeAddress } from '../../src/address/index.js'
import type { Clock } from '../../src/clock.js'
import type { PeerExchangeBook, PeerExchangeReporter } from '../../src/pex/book.js'
import { peerExchange, type PeerExchange, type PeerExchangeInit } from '../../src/pex/index.js'

/**
 * A plain address book: keeps every new address (up to `capacity` peers), and advertises our own
 * addresses first, then the others in insertion order. It deliberately does no filtering for the
 * requester, so the tests see what the peer exchange itself filters.
 */
export class MemoryExchangeBook implements PeerExchangeBook {
  #own: NodeAddress[]
  readonly #capacity: number
  readonly #entries = new Map<string, { address: NodeAddress, source: string }>()
  readonly #tried = new Set<string>()
  /** Every call of add(), accepted or not. */
  readonly added: string[] = []

  constructor (init: { own?: NodeAddress[], capacity?: number, known?: NodeAddress[] } = {}) {
    this.#own = init.own ?? []
    this.#capacity = init.capacity ?? 0
    for (const address of init.known ?? []) this.#entries.set(address.toString(), { address, source: 'config' })
  }

  /** Our own addresses, advertised first (the router sets them as relay reservations come and go). */
  setOwn (addresses: NodeAddress[]): void {
    this.#own = [...addresses]
  }

  advertise (_forPeerId: string, limit: number): NodeAddress[] {
    return [...this.#own, ...[...this.#entries.values()].map(e => e.address)].slice(0, Math.max(0, limit))
  }

  add (address: NodeAddress, options: { source: 'gossip' }): boolean {
    this.added.push(address.toString())
    const url = address.toString()
    if (this.#entries.has(url)) return false
    const peers = new Set([...this.#entries.values()].map(e => e.address.peerId))
    if (this.#capacity > 0 && !peers.has(address.peerId) && peers.size >= this.#capacity) return false
    this.#entries.set(url, { address, source: options.source })
    return true
  }

  knownPeerCount (): number {
    return new Set([...this.#entries.values()].map(e => e.address.peerId)).size
  }

  capacity (): number {
    return this.#capacity
  }

  urls (): string[] {
    return [...this.#entries.keys()]
  }

  status (peerId: string): 'new' | 'tried' | 'gone' {
    if (this.#tried.has(peerId)) return 'tried'
    for (const e of this.#entries.values()) if (e.address.peerId === peerId) return 'new'
    return 'gone'
  }

  /** We connected to `peerId` (it is "tried" from now on). */
  markTried (peerId: string): void {
    this.#tried.add(peerId)
  }

  /** The book dropped every address of `peerId`. */
  forget (peerId: string): void {
    for (const [url, e] of this.#entries) if (e.address.peerId === peerId) this.#entries.delete(url)
  }

  sourceOf (url: string): string | undefined {
    return this.#entries.get(url)?.source
  }
}

/** A reporter that remembers every penalty. */
export class RecordingReporter implements PeerExchangeReporter {
  readonly penalties: Array<{ peerId: string, points: number, reason: string }> = []

  misbehaved (peerId: string, points: number, reason: string): void {
    this.penalties.push({ peerId, points, reason })
  }
}

export async function newPeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/**
 * `count` addresses of distinct made-up peers, each in its own /24 of 198.18.0.0/15 (public to
 * the address filters, reserved for tests; 512 /24s, so any 512 in a row are in distinct /24s).
 * `first` is the index of the first one. `tcp://` has no transport in peermesh: dialing one
 * fails at once, on this machine.
 */
export async function publicAddressesOfNewPeers (count: number, first = 0): Promise<NodeAddress[]> {
  const ids = await Promise.all(Array.from({ length: count }, async () => await newPeerId()))
  return ids.map((id, i) => {
    const n = first + i
    const host = 1 + (Math.floor(n / 512) % 254)
    return parseNodeAddress(`tcp://${id.toString()}@198.${18 + (Math.floor(n / 256) % 2)}.${n % 256}.${host}:4001`)
  })
}

/** `count` addresses of `count` distinct made-up peers. */
export async function addressesOfNewPeers (count: number, port = 4001): Promise<NodeAddress[]> {
  const ids = await Promise.all(Array.from({ length: count }, async () => await newPeerId()))
  return ids.map((id, i) => parseNodeAddress(`tcp://${id.toString()}@10.${Math.floor(i / 250)}.${i % 250}.1:${port}`))
}

let memoryNames = 0
function memoryName (): string {
  return `pex-test-${process.pid}-${memoryNames++}-${Math.random().toString(36).slice(2)}`
}

export interface PexTestNode {
  libp2p: Libp2p<{ pex: PeerExchange }>
  pex: PeerExchange
  book: MemoryExchangeBook
  reporter: RecordingReporter
}

export class TestNodes {
  readonly #started: Libp2p[] = []

  /** A node running the peer exchange, listening on a fresh memory address. */
  async pexNode (init: { clock: Clock, book?: MemoryExchangeBook } & Partial<Omit<PeerExchangeInit, 'book'>>): Promise<PexTestNode> {
    const book = init.book ?? new MemoryExchangeBook()
    const reporter = new RecordingReporter()
    const libp2p = await createLibp2p({
      addresses: { listen: [`/memory/${memoryName()}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pex: peerExchange({ reporter, ...init, book }) }
    })
    this.#started.push(libp2p)
    return { libp2p, pex: libp2p.services.pex, book, reporter }
  }

  /** A node without the peer exchange: the tests make it speak the protocol by hand. */
  async bareNode (): Promise<Libp2p> {
    const libp2p = await createLibp2p({
      addresses: { listen: [`/memory/${memoryName()}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    })
    this.#started.push(libp2p)
    return libp2p
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.#started.splice(0).map(async node => { await node.stop() }))
  }
}

export async function connect (from: Libp2p, to: Libp2p): Promise<void> {
  const address = to.getMultiaddrs()[0]
  if (address === undefined) throw new Error('the node has no listen address')
  await from.dial(address)
}

/** Everything a stream delivers until it ends, and how it ended. */
export interface Collected {
  bytes: Uint8Array
  /** The error the stream closed with (a reset, an abort), if any. */
  error: Error | undefined
}

/** Starts collecting a stream's incoming bytes at once (call it before writing). */
export function collect (stream: Stream): Promise<Collected> {
  const received = new Uint8ArrayList()
  return new Promise(resolve => {
    const done = (error: Error | undefined): void => {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
      stream.removeEventListener('end', onEnd)
      resolve({ bytes: received.subarray(), error })
    }
    const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => { received.append(evt.data) }
    const onClose = (evt: { error?: Error }): void => { done(evt.error) }
    const onEnd = (): void => { if (stream.status !== 'aborted' && stream.status !== 'reset') done(undefined) }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
    stream.addEventListener('end', onEnd)
    // the stream may have been reset, or have ended, before we got to listen
    if (stream.status === 'reset' || stream.status === 'aborted') done(new Error(`stream ${stream.status}`))
    else if (stream.readableEnded && stream.readBufferLength === 0) done(undefined)
  })
}

/** Opens a stream from `from` to `to` (connecting over `to`'s memory address if needed). */
export async function openRawStream (from: Libp2p, to: Libp2p, protocol: string): Promise<Stream> {
  const address = to.getMultiaddrs()[0]
  if (address === undefined) throw new Error('the node has no listen address')
  return await from.dialProtocol(address, protocol)
}

/** Opens a PEX stream by hand, writes `bytes`, closes our side and returns what came back. */
export async function rawExchange (from: Libp2p, to: Libp2p, protocol: string, bytes: Uint8Array): Promise<Collected> {
  const stream = await openRawStream(from, to, protocol)
  const collected = collect(stream)
  try {
    if (bytes.length > 0) stream.send(bytes)
    await stream.close()
  } catch {
    // the other side may reset the stream before we are done writing: `collected` says so
  }
  return await collected
}
