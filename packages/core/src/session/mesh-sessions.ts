/**
 * `/peermesh/session/1.0.0`: one long-lived stream per direction between neighbours. Each side
 * writes only on the stream it opened, through a bounded {@link PeerOutbox} drained by its own
 * writer, and reads only on the stream the other side opened: a slow reader never delays a
 * writer, and a full queue drops (and counts) instead of blocking the node.
 *
 * Messages: `Hello` (our session version and role) first, and `Goodbye` (with a reason) before
 * we close a connection on purpose, so the peer drops it at once instead of noticing seconds
 * later when WebRTC's ICE gives up.
 */
import { lpStream } from '@libp2p/utils'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { systemClock, timeoutSignal, type Clock } from '../clock.js'
import { silentLogger, type Logger } from '../logger.js'
import type { PeerRole } from '../vocabulary.js'
import { OutboxPriority, PeerOutbox, type PeerOutboxOptions } from './peer-outbox.js'
import { Goodbye, SessionMessage } from './session.pb.js'

export const SESSION_PROTOCOL = '/peermesh/session/1.0.0'
export const SESSION_VERSION = 1

export type GoodbyeReason = 'shutdown' | 'evicted' | 'banned' | 'duplicate' | 'unspecified'

const toWire: Record<GoodbyeReason, Goodbye.Reason> = {
  shutdown: Goodbye.Reason.SHUTDOWN,
  evicted: Goodbye.Reason.EVICTED,
  banned: Goodbye.Reason.BANNED,
  duplicate: Goodbye.Reason.DUPLICATE,
  unspecified: Goodbye.Reason.UNSPECIFIED
}
const fromWire = new Map<Goodbye.Reason, GoodbyeReason>(Object.entries(toWire).map(([k, v]) => [v, k as GoodbyeReason]))
const ROLES = new Set<string>(['relay', 'node', 'browser'])
/** Names of @libp2p/utils' length-prefix errors: the peer sent a frame over our cap. */
const OVERSIZED = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError'])

export interface MeshSessionsOptions {
  /** Largest session message accepted, bytes. @default 1024 */
  maxMessageBytes: number
  /** Messages a peer may send per minute before it is penalised and its stream reset. @default 120 */
  maxMessagesPerMinute: number
  /** How long `goodbye()` waits for the message to be written. @default 500 */
  goodbyeFlushMs: number
  /** Bounds of each peer's outbound queue. */
  outbox: Partial<PeerOutboxOptions>
}

export const defaultMeshSessionsOptions: MeshSessionsOptions = {
  maxMessageBytes: 1024,
  maxMessagesPerMinute: 120,
  goodbyeFlushMs: 500,
  outbox: {}
}

export interface MeshSessionsEvents {
  /** The peer introduced itself. */
  onHello?(peerId: string, hello: { version: number, role?: PeerRole }): void
  /** The peer is closing its connection to us on purpose. */
  onGoodbye?(peerId: string, reason: GoodbyeReason): void
  /** The peer broke the protocol (oversized, undecodable or too many messages). */
  onMisbehaviour?(peerId: string, reason: string): void
  /**
   * The peer's session stream ended or was reset while its connection still looks open. A tab
   * that is closed gets no chance to send a Goodbye, but the browser tears its data channels down
   * at once, which ends this stream long before ICE notices the connection is dead.
   */
  onSessionEnded?(peerId: string, connection: Connection): void
}

export interface MeshSessionsComponents {
  libp2p: Libp2p
  role: PeerRole
  events: MeshSessionsEvents
  clock?: Clock
  logger?: Logger
}

interface Session {
  outbox: PeerOutbox
  controller: AbortController
  writer: Promise<void>
  /** Our writing stream, once open. */
  stream?: Stream
}

/** A frame as lpStream writes it: unsigned varint length, then the bytes. */
function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let n = bytes.byteLength
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  prefix.push(n)
  const frame = new Uint8Array(prefix.length + bytes.byteLength)
  frame.set(prefix)
  frame.set(bytes, prefix.length)
  return frame
}

/** How long our session stream may take to close gracefully before it is aborted. */
const STREAM_CLOSE_TIMEOUT_MS = 1000

export class MeshSessions {
  private readonly c: MeshSessionsComponents
  private readonly clock: Clock
  private readonly log: Logger
  private readonly options: MeshSessionsOptions
  private readonly sessions = new Map<string, Session>()
  private droppedByClosedSessions = 0
  readonly stats = { opened: 0, received: 0, invalid: 0, goodbyesSent: 0, goodbyesReceived: 0 }

  constructor (components: MeshSessionsComponents, options: Partial<MeshSessionsOptions> = {}) {
    this.c = components
    this.clock = components.clock ?? systemClock
    this.log = components.logger ?? silentLogger
    this.options = { ...defaultMeshSessionsOptions, ...options }
  }

  async start (): Promise<void> {
    await this.c.libp2p.handle(SESSION_PROTOCOL, this.handleInbound, { runOnLimitedConnection: true, maxInboundStreams: 2, maxOutboundStreams: 2 })
  }

  async stop (): Promise<void> {
    for (const peerId of [...this.sessions.keys()]) this.close(peerId)
    await this.c.libp2p.unhandle(SESSION_PROTOCOL)
  }

  /** Whether we hold a session (a writing stream, open or opening) with `peerId`. */
  has (peerId: string): boolean {
    return this.sessions.has(peerId)
  }

  /** Messages dropped from full outbound queues, over all sessions so far. */
  get drops (): number {
    let drops = this.droppedByClosedSessions
    for (const s of this.sessions.values()) drops += s.outbox.drops
    return drops
  }

  /** Opens our writing stream to a ready neighbour and says hello. */
  open (connection: Connection): void {
    const peerId = connection.remotePeer.toString()
    if (this.sessions.has(peerId)) return
    const controller = new AbortController()
    const outbox = new PeerOutbox(this.options.outbox)
    const session: Session = { outbox, controller, writer: Promise.resolve() }
    this.sessions.set(peerId, session)
    this.stats.opened++
    outbox.enqueue(SessionMessage.encode({ hello: { version: SESSION_VERSION, role: this.c.role } }), OutboxPriority.Control)
    session.writer = (async () => {
      let stream: Stream | undefined
      try {
        stream = await connection.newStream(SESSION_PROTOCOL, { signal: controller.signal, runOnLimitedConnection: true })
        session.stream = stream
        // The peer ending our stream while we still mean to write is, on an open connection, a peer
        // that is gone: a full peer that held us only to answer peer exchange and hung up, or a tab
        // that closed. Such a peer may never have opened its own session to us, so its end of the
        // connection going away shows only here (the data channels close at once; ICE notices
        // the dead connection only after tens of seconds).
        stream.addEventListener('close', (event) => {
          if (event.local === true || controller.signal.aborted || outbox.closed) return
          this.log.debug('session stream ended by the peer', { peer: peerId, error: event.error?.name })
          if (connection.status === 'open') this.c.events.onSessionEnded?.(peerId, connection)
        }, { once: true })
        const frames = lpStream(stream, { maxDataLength: this.options.maxMessageBytes })
        await outbox.run(async bytes => { await frames.write(bytes, { signal: controller.signal }) }, controller.signal)
        const closing = timeoutSignal(this.clock, STREAM_CLOSE_TIMEOUT_MS)
        try {
          await stream.close({ signal: closing.signal })
        } finally {
          closing.cancel()
        }
      } catch (err) {
        stream?.abort(err instanceof Error ? err : new Error(String(err)))
        this.log.debug('session writer ended', { peer: peerId, error: err instanceof Error ? err.message : String(err) })
        // we could not open or keep our stream on a connection that still looks open: the peer's
        // end is gone (its muxer is closing, or it refused us), so nothing would ever reach it
        if (!controller.signal.aborted && !outbox.closed && connection.status === 'open') this.c.events.onSessionEnded?.(peerId, connection)
      } finally {
        if (this.sessions.get(peerId) === session) this.forget(peerId, session)
      }
    })()
  }

  /**
   * Moves `peerId`'s session to `connection` (the connection both sides now keep). The old writer
   * is left to end with its own connection, which is being closed: resetting its stream here
   * could reach the peer before it switched too, and look like a peer that left.
   */
  move (connection: Connection): void {
    this.sessions.delete(connection.remotePeer.toString())
    this.open(connection)
  }

  /** Stops writing to `peerId` (its connection is gone). */
  close (peerId: string): void {
    const session = this.sessions.get(peerId)
    if (session == null) return
    session.outbox.close()
    session.controller.abort(new Error('session closed'))
    this.forget(peerId, session)
  }

  private forget (peerId: string, session: Session): void {
    this.droppedByClosedSessions += session.outbox.drops
    session.outbox.drops = 0
    this.sessions.delete(peerId)
  }

  /** Tells `peerId` we are about to close on purpose; resolves once written or after `goodbyeFlushMs`. */
  async goodbye (peerId: string, reason: GoodbyeReason): Promise<void> {
    const session = this.sessions.get(peerId)
    if (session == null) return
    await new Promise<void>(resolve => {
      const timer = this.clock.setTimeout(resolve, this.options.goodbyeFlushMs)
      const queued = session.outbox.enqueue(SessionMessage.encode({ goodbye: { reason: toWire[reason] } }), OutboxPriority.Control, () => {
        timer.cancel()
        this.stats.goodbyesSent++
        resolve()
      })
      if (!queued) {
        timer.cancel()
        resolve()
      }
    })
  }

  /**
   * Says goodbye to every neighbour **synchronously**: the frame is handed to each open session
   * stream before this returns. A page that is being closed (`pagehide`) gets no later turn of the
   * event loop, so this is the only goodbye its peers would ever receive.
   * @returns how many neighbours were told
   */
  goodbyeNow (reason: GoodbyeReason): number {
    const frame = lengthPrefixed(SessionMessage.encode({ goodbye: { reason: toWire[reason] } }))
    let told = 0
    for (const [peerId, session] of this.sessions) {
      const stream = session.stream
      if (stream == null) {
        // our stream is still being negotiated: the writer sends the goodbye once it opens
        if (session.outbox.enqueue(SessionMessage.encode({ goodbye: { reason: toWire[reason] } }), OutboxPriority.Control)) told++
        session.outbox.close()
        continue
      }
      if (stream.writeStatus !== 'writable') continue
      try {
        stream.send(frame)
        told++
        this.stats.goodbyesSent++
      } catch (err) {
        this.log.debug('goodbye not sent', { peer: peerId, error: err instanceof Error ? err.message : String(err) })
      }
      session.outbox.close()
    }
    return told
  }

  /**
   * Waits until every writer has flushed and closed its stream (after `goodbyeNow`), at most
   * `goodbyeFlushMs`.
   */
  async drain (): Promise<void> {
    const writers = [...this.sessions.values()].map(async s => { await s.writer })
    if (writers.length === 0) return
    let timer: ReturnType<Clock['setTimeout']> | undefined
    await Promise.race([
      Promise.allSettled(writers),
      new Promise<void>(resolve => { timer = this.clock.setTimeout(resolve, this.options.goodbyeFlushMs) })
    ])
    timer?.cancel()
  }

  /** Says goodbye to every neighbour at once (node shutdown). */
  async goodbyeAll (reason: GoodbyeReason): Promise<void> {
    await Promise.all([...this.sessions.keys()].map(async peerId => { await this.goodbye(peerId, reason) }))
  }

  private readonly handleInbound = async (stream: Stream, connection: Connection): Promise<void> => {
    const peerId = connection.remotePeer.toString()
    const frames = lpStream(stream, { maxDataLength: this.options.maxMessageBytes })
    let windowStart = this.clock.now()
    let inWindow = 0
    while (true) {
      let frame
      try {
        frame = await frames.read()
      } catch (err) {
        if (err instanceof Error && OVERSIZED.has(err.name)) {
          this.misbehaved(peerId, stream, `oversized session message (${err.name})`)
        } else {
          // the stream ended or was reset: the session is over; if the connection still looks
          // open, the peer is most likely gone (a closed tab)
          this.log.debug('session reader ended', { peer: peerId, error: err instanceof Error ? err.name : String(err) })
          if (connection.status === 'open') this.c.events.onSessionEnded?.(peerId, connection)
        }
        return
      }
      let message: SessionMessage
      try {
        message = SessionMessage.decode(frame)
      } catch {
        this.misbehaved(peerId, stream, 'undecodable session message')
        return
      }
      this.stats.received++
      const now = this.clock.now()
      if (now - windowStart >= 60_000) {
        windowStart = now
        inWindow = 0
      }
      if (++inWindow > this.options.maxMessagesPerMinute) {
        this.misbehaved(peerId, stream, 'too many session messages')
        return
      }
      if (message.hello != null) {
        const role = ROLES.has(message.hello.role) ? message.hello.role as PeerRole : undefined
        this.c.events.onHello?.(peerId, { version: message.hello.version, ...(role != null ? { role } : {}) })
      }
      if (message.goodbye != null) {
        this.stats.goodbyesReceived++
        this.c.events.onGoodbye?.(peerId, fromWire.get(message.goodbye.reason) ?? 'unspecified')
      }
    }
  }

  private misbehaved (peerId: string, stream: Stream, reason: string): void {
    this.stats.invalid++
    this.log.warn('session protocol violation', { peer: peerId, reason })
    this.c.events.onMisbehaviour?.(peerId, reason)
    stream.abort(new Error(reason))
  }
}
