/**
 * The simulated network: connections between simulated nodes, message delivery and loss, dial
 * failures, partitions and reachability. It is I/O only: every decision about which peer to dial,
 * accept, ask or evict is taken by the production code each {@link SimulatedNode} drives.
 *
 * Reachability:
 * - a direct address (`memory://…`, `tcp://…`) reaches its node while it runs and is not cut off
 *   by a partition;
 * - a relayed WebRTC address (`webrtc+…/via/<relay>`, the browser shape) reaches its node only
 *   while the node holds a reservation on that relay, the relay runs, and the dialer is connected
 *   to the relay or the relay would accept its connection (the signalling connection);
 * - the target's connection gater (`PeerManager.canAccept`, as `createPeerMeshNode` wires it) then
 *   admits or refuses the connection.
 */
import type { Random } from '../clock.js'
import type { NodeAddress } from '../address/index.js'
import type { SimulatedClock } from './simulated-clock.js'
import { oneWayLatencyMs, type NetworkModel } from './network-model.js'
import type { SimulatedNode } from './simulated-node.js'

/** A dial that did not produce a connection. */
export class SimulatedDialError extends Error {
  override name = 'SimulatedDialError'
  readonly reason: DialFailureReason
  constructor (reason: DialFailureReason, message: string) {
    super(message)
    this.reason = reason
  }
}

export type DialFailureReason = 'gone' | 'unreachable' | 'refused' | 'denied' | 'no-reservation' | 'random' | 'self-gater'

/** A stream (peer exchange) that ended because its connection closed. */
export class SimulatedStreamClosedError extends Error {
  override name = 'SimulatedStreamClosedError'
}

let connectionCounter = 0

/** One end of a simulated connection, shaped like the parts of a libp2p `Connection` the router's tie-break reads. */
export class ConnectionEnd {
  readonly connection: SimulatedConnection
  readonly local: SimulatedNode
  readonly remote: SimulatedNode
  readonly direction: 'inbound' | 'outbound'
  readonly remotePeer: { toString: () => string }
  readonly timeline: { open: number }
  /** Set (to an empty object) for a limited, relayed connection; this simulator opens none. */
  readonly limits: undefined

  constructor (connection: SimulatedConnection, local: SimulatedNode, remote: SimulatedNode, direction: 'inbound' | 'outbound') {
    this.connection = connection
    this.local = local
    this.remote = remote
    this.direction = direction
    const remoteId = remote.peerId
    this.remotePeer = { toString: () => remoteId }
    this.timeline = { open: connection.openedAt }
    this.limits = undefined
  }

  get status (): 'open' | 'closed' {
    return this.connection.open ? 'open' : 'closed'
  }

  /** The other end. */
  peerEnd (): ConnectionEnd {
    return this.connection.dialerEnd === this ? this.connection.listenerEnd : this.connection.dialerEnd
  }
}

export class SimulatedConnection {
  readonly id = ++connectionCounter
  readonly openedAt: number
  open = true
  readonly dialerEnd: ConnectionEnd
  readonly listenerEnd: ConnectionEnd

  constructor (dialer: SimulatedNode, listener: SimulatedNode, openedAt: number) {
    this.openedAt = openedAt
    this.dialerEnd = new ConnectionEnd(this, dialer, listener, 'outbound')
    this.listenerEnd = new ConnectionEnd(this, listener, dialer, 'inbound')
  }
}

export interface SimulatedNetworkInit {
  clock: SimulatedClock
  model: NetworkModel
  random: Random
}

export class SimulatedNetwork {
  readonly clock: SimulatedClock
  readonly model: NetworkModel
  private readonly random: Random
  private readonly nodes = new Map<string, SimulatedNode>()
  /** Partition group of each node while a partition is in force (undefined: none). */
  private partitionOf: ((node: SimulatedNode) => number) | undefined
  readonly counters = { messagesSent: 0, messagesLost: 0, connectionsOpened: 0, dialFailures: {} as Record<DialFailureReason, number> }

  constructor (init: SimulatedNetworkInit) {
    this.clock = init.clock
    this.model = init.model
    this.random = init.random
  }

  register (node: SimulatedNode): void {
    this.nodes.set(node.peerId, node)
  }

  node (peerId: string): SimulatedNode | undefined {
    return this.nodes.get(peerId)
  }

  latencyMs (): number {
    return oneWayLatencyMs(this.model, this.random)
  }

  /** True while nothing `a` sends reaches `b` (one of them crashed, or a partition separates them). */
  silent (a: SimulatedNode, b: SimulatedNode): boolean {
    if (!a.running || !b.running) return true
    return this.partitionOf !== undefined && this.partitionOf(a) !== this.partitionOf(b)
  }

  /** Starts a partition: nodes in different groups no longer hear each other. */
  partition (groupOf: (node: SimulatedNode) => number): void {
    this.partitionOf = groupOf
    for (const node of this.nodes.values()) if (node.running) node.linksMaybeSilent()
  }

  heal (): void {
    this.partitionOf = undefined
  }

  /**
   * Delivers `deliver` to `to` after one one-way delay, unless the message is lost or `to` cannot
   * hear `from`. `lossy` messages (peer exchange) are subject to `messageLossRate`.
   */
  send (from: SimulatedNode, to: SimulatedNode, deliver: () => void, lossy = true): void {
    this.counters.messagesSent++
    if (lossy && this.model.messageLossRate > 0 && this.random() < this.model.messageLossRate) {
      this.counters.messagesLost++
      return
    }
    const latency = this.latencyMs()
    this.clock.setTimeout(() => {
      if (this.silent(from, to)) {
        this.counters.messagesLost++
        return
      }
      deliver()
    }, latency)
  }

  /**
   * Dials `address` from `from`. Resolves with the dialer's end once both ends have the connection
   * (the listener's router has been told first); rejects with a {@link SimulatedDialError}, or
   * never settles for an unreachable target (the caller's dial timeout aborts `signal`).
   */
  async connect (from: SimulatedNode, address: NodeAddress, signal: AbortSignal): Promise<ConnectionEnd> {
    signal.throwIfAborted()
    const rtt = 2 * this.latencyMs()
    const relayed = address.protocol === 'webrtc' || address.protocol === 'circuit'
    const setupMs = rtt * (relayed ? this.model.relayedSetupRoundTrips : this.model.setupRoundTrips)
    const randomFailure = this.model.dialFailureRate > 0 && this.random() < this.model.dialFailureRate
    return await new Promise<ConnectionEnd>((resolve, reject) => {
      let timer: { cancel: () => void } | undefined
      const onAbort = (): void => {
        timer?.cancel()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const fail = (reason: DialFailureReason, message: string, afterMs: number): void => {
        this.counters.dialFailures[reason] = (this.counters.dialFailures[reason] ?? 0) + 1
        if (reason === 'unreachable' || reason === 'random') return // hangs until the dial timeout
        timer = this.clock.setTimeout(() => {
          signal.removeEventListener('abort', onAbort)
          reject(new SimulatedDialError(reason, message))
        }, afterMs)
      }
      timer = this.clock.setTimeout(() => {
        timer = undefined
        const target = this.nodes.get(address.peerId)
        if (randomFailure) return fail('random', 'dial failed (network)', 0)
        if (target === undefined || !target.running) {
          return target?.crashed === true ? fail('unreachable', 'no answer', 0) : fail('gone', 'connection refused: nobody listens', 0)
        }
        if (this.silent(from, target)) return fail('unreachable', 'no route (partition)', 0)
        if (relayed) {
          const problem = this.relayProblem(from, target, address)
          if (problem !== undefined) return fail(problem === 'relay-unreachable' ? 'unreachable' : 'no-reservation', problem, 0)
        }
        if (!from.running) return fail('gone', 'dialer stopped', 0)
        if (!target.gaterAccepts(from.peerId)) return fail('denied', 'denied by the connection gater', rtt / 2)
        signal.removeEventListener('abort', onAbort)
        const connection = new SimulatedConnection(from, target, this.clock.now())
        this.counters.connectionsOpened++
        target.onConnectionOpen(connection.listenerEnd)
        if (!connection.open) {
          reject(new SimulatedDialError('refused', 'closed at once by the listener'))
          return
        }
        from.onConnectionOpen(connection.dialerEnd)
        resolve(connection.dialerEnd)
      }, setupMs)
    })
  }

  /** Why a relayed address does not reach `target` now, if it does not. */
  private relayProblem (from: SimulatedNode, target: SimulatedNode, address: NodeAddress): string | undefined {
    const relayId = address.relay?.peerId
    const relay = relayId === undefined ? undefined : this.nodes.get(relayId)
    if (relay === undefined || !relay.running || this.silent(from, relay)) return 'relay-unreachable'
    if (!relay.holdsReservationFor(target.peerId)) return 'target holds no reservation on that relay'
    if (from.peerId !== relay.peerId && !from.isConnectedTo(relay.peerId) && !relay.gaterAccepts(from.peerId)) return 'relay refuses the signalling connection'
    return undefined
  }

  /** Closes a connection: `by` learns at once, the other end after one one-way delay. */
  close (end: ConnectionEnd): void {
    const connection = end.connection
    if (!connection.open) return
    connection.open = false
    const other = end.peerEnd()
    end.local.onConnectionClose(end)
    const latency = this.latencyMs()
    this.clock.setTimeout(() => { other.local.onConnectionClose(other) }, latency)
  }
}
