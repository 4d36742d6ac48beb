/**
 * The peer table: one row per peer the node knows, updated in place (keyed by peer ID) so that
 * focus, hover and text selection survive the frequent `peers:change` events.
 *
 * Each row carries the stable test hooks `data-testid=peer-row`, `data-peer-id`, `data-state`,
 * `data-transport`, `data-direction` and, for a direct WebRTC link whose ICE selected a pair,
 * `data-candidate-local`, `data-candidate-remote` and `data-via-turn`, and `data-direct-failure` (why
 * a peer has no direct link after its last direct WebRTC dial failed; see the package README).
 */
import type { PeerState, PeerTransport, PeerView, SelectedCandidatePair } from '@peermesh/core'
import { candidatePairLabel, viaTurn, type CandidatePairs } from './candidate-types.js'
import { shortPeerId } from './mesh-graph-model.js'

/** The values of `data-state`; `inactive` peers (never dialed nor accepted) show as `banned`. */
export type PeerRowState = 'connected' | 'dialing' | 'backoff' | 'banned' | 'known'
/** The values of `data-transport`; `webrtc-direct` shows as `webrtc`. */
export type PeerRowTransport = 'webrtc' | 'websocket' | 'circuit' | 'tcp' | 'memory'

/** Everything one row shows, as strings ready for the DOM. */
export interface PeerRowModel {
  peerId: string
  shortId: string
  /** The address shown on hover and copied: the first known NodeAddress URL, or the peer ID. */
  address: string
  /** All known addresses, one per line, for the hover title. */
  addressesTitle: string
  state: PeerRowState
  stateLabel: string
  transport?: PeerRowTransport
  transportLabel: string
  direction?: 'inbound' | 'outbound'
  /** The ICE candidate pair of a direct WebRTC link. */
  candidates?: SelectedCandidatePair
  score: string
  rtt: string
  since: string
  /** Why this peer has no direct link, when its last direct WebRTC dial failed. */
  directFailure?: string
}

/** What the page knows of its own WebRTC set-up, for the reason a direct dial failed. */
export interface IceSetup {
  /** A TURN server is configured (`turn:`/`turns:` among the ICE servers); undefined: not yet known. */
  turn: boolean | undefined
}

/**
 * Why a peer whose last direct WebRTC dial failed has no direct link. Without TURN a peer behind
 * a symmetric NAT (or two behind strict firewalls) can never be reached directly, and the page
 * says so and what fixes it; the peer is still reached through the relay.
 */
export function directFailureReason (failure: { error: string }, ice: IceSetup): string {
  const what = 'no direct link: WebRTC found no working path'
  if (ice.turn === false) {
    return `${what} and no TURN server is configured (behind a symmetric NAT a peer needs one: start the relay with --ice-servers turn:… and --turn-secret, or open the page with ?ice=); still reached through the relay (${failure.error})`
  }
  return `${what}, TURN included; still reached through the relay (${failure.error})`
}

const STATE_HOOK: Record<PeerState, PeerRowState> = {
  connected: 'connected',
  dialing: 'dialing',
  backoff: 'backoff',
  banned: 'banned',
  known: 'known',
  inactive: 'banned'
}

const STATE_LABEL: Record<PeerState, string> = {
  connected: 'connected',
  dialing: 'dialing…',
  backoff: 'backing off',
  banned: 'banned',
  known: 'known',
  inactive: 'inactive'
}

const TRANSPORT_HOOK: Record<PeerTransport, PeerRowTransport> = {
  webrtc: 'webrtc',
  'webrtc-direct': 'webrtc',
  websocket: 'websocket',
  circuit: 'circuit',
  tcp: 'tcp',
  memory: 'memory'
}

/** Rows sort by state (connected first), then score, then peer ID. */
const STATE_ORDER: Record<PeerState, number> = { connected: 0, dialing: 1, backoff: 2, known: 3, inactive: 4, banned: 5 }

/** `12 ms`, `1.2 s`, or an em dash when unknown. */
export function formatRtt (rttMs: number | undefined): string {
  if (rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0) return '—'
  if (rttMs < 10) return `${rttMs.toFixed(1)} ms`
  if (rttMs < 1000) return `${Math.round(rttMs)} ms`
  return `${(rttMs / 1000).toFixed(1)} s`
}

/** How long ago `since` was, coarsely: `5 s`, `3 min`, `2 h`; em dash when unknown. */
export function formatSince (since: number | undefined, nowMs: number): string {
  if (since === undefined || !Number.isFinite(since)) return '—'
  const seconds = Math.max(0, Math.floor((nowMs - since) / 1000))
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`
  return `${Math.floor(seconds / 3600)} h`
}

export function toPeerRow (view: PeerView, nowMs: number, candidates?: SelectedCandidatePair, ice: IceSetup = { turn: undefined }): PeerRowModel {
  const row: PeerRowModel = {
    peerId: view.peerId,
    shortId: shortPeerId(view.peerId),
    address: view.addresses[0] ?? view.peerId,
    addressesTitle: view.addresses.length > 0 ? view.addresses.join('\n') : view.peerId,
    state: STATE_HOOK[view.state],
    stateLabel: STATE_LABEL[view.state],
    transportLabel: view.transport ?? '—',
    score: Number.isFinite(view.score) ? String(Math.round(view.score * 10) / 10) : '—',
    rtt: formatRtt(view.rttMs),
    since: view.state === 'connected' ? formatSince(view.connectedSince, nowMs) : '—'
  }
  if (view.state === 'backoff' && view.until !== undefined && view.until > nowMs) {
    row.stateLabel = `backing off (${Math.ceil((view.until - nowMs) / 1000)} s)`
  }
  if (view.transport !== undefined) row.transport = TRANSPORT_HOOK[view.transport]
  if (view.direction !== undefined) row.direction = view.direction
  if (candidates !== undefined && view.state === 'connected' && row.transport === 'webrtc') {
    row.candidates = candidates
    row.transportLabel = `${row.transportLabel} · ${candidatePairLabel(candidates)}`
  }
  if (view.directFailure !== undefined && row.transport !== 'webrtc') row.directFailure = directFailureReason(view.directFailure, ice)
  return row
}

export function sortPeerViews (views: readonly PeerView[]): PeerView[] {
  return [...views].sort((a, b) =>
    (STATE_ORDER[a.state] - STATE_ORDER[b.state]) ||
    (b.score - a.score) ||
    (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0))
}

/** The three counters above the table. */
export interface PeerCounts {
  connected: number
  known: number
}

export function countPeers (views: readonly PeerView[]): PeerCounts {
  let connected = 0
  for (const view of views) if (view.state === 'connected') connected++
  return { connected, known: views.length }
}

/**
 * Counts failed dials from successive peer lists: a peer seen `dialing` that is next seen
 * backing off, banned or merely known (not connected) had its dial fail.
 */
export interface DialFailureCounter {
  observe: (views: readonly PeerView[]) => number
  total: () => number
}

export function createDialFailureCounter (): DialFailureCounter {
  let previous = new Map<string, PeerState>()
  let total = 0
  return {
    observe (views) {
      let failed = 0
      const next = new Map<string, PeerState>()
      for (const view of views) {
        next.set(view.peerId, view.state)
        if (previous.get(view.peerId) === 'dialing' && view.state !== 'dialing' && view.state !== 'connected') failed++
      }
      previous = next
      total += failed
      return failed
    },
    total: () => total
  }
}

export interface PeerTableView {
  render: (views: readonly PeerView[], nowMs: number, candidates?: CandidatePairs, ice?: IceSetup) => void
}

/**
 * Draws rows into `tbody`. `onCopy` is called with the address of the row whose copy button
 * was pressed.
 */
export function createPeerTable (tbody: HTMLTableSectionElement, onCopy: (address: string, peerId: string) => void): PeerTableView {
  const rows = new Map<string, HTMLTableRowElement>()

  function cell (row: HTMLTableRowElement, index: number): HTMLTableCellElement {
    const existing = row.cells[index]
    if (existing !== undefined) return existing
    return row.insertCell(index)
  }

  function createRow (peerId: string): HTMLTableRowElement {
    const row = document.createElement('tr')
    row.dataset.testid = 'peer-row'
    row.dataset.peerId = peerId
    const idCell = document.createElement('th')
    idCell.scope = 'row'
    const code = document.createElement('code')
    code.className = 'peer-id'
    const copy = document.createElement('button')
    copy.type = 'button'
    copy.className = 'copy'
    copy.textContent = 'copy'
    copy.addEventListener('click', () => {
      onCopy(copy.dataset.address ?? peerId, peerId)
    })
    idCell.append(code, ' ', copy)
    row.append(idCell)
    for (let i = 1; i <= 6; i++) row.insertCell(i)
    return row
  }

  function fill (row: HTMLTableRowElement, model: PeerRowModel): void {
    row.dataset.state = model.state
    if (model.transport === undefined) delete row.dataset.transport
    else row.dataset.transport = model.transport
    if (model.direction === undefined) delete row.dataset.direction
    else row.dataset.direction = model.direction
    if (model.candidates === undefined) {
      delete row.dataset.candidateLocal
      delete row.dataset.candidateRemote
      delete row.dataset.viaTurn
    } else {
      row.dataset.candidateLocal = model.candidates.local
      row.dataset.candidateRemote = model.candidates.remote
      row.dataset.viaTurn = String(viaTurn(model.candidates))
    }
    const idCell = row.cells[0]
    const code = idCell?.querySelector('code')
    const copy = idCell?.querySelector('button')
    if (code != null) {
      setText(code, model.shortId)
      code.title = model.addressesTitle
    }
    if (copy != null) {
      copy.dataset.address = model.address
      copy.setAttribute('aria-label', `Copy the address of peer ${model.shortId}`)
      copy.title = model.address
    }
    setText(cell(row, 1), model.direction ?? '—')
    setText(cell(row, 2), model.transportLabel)
    if (model.directFailure === undefined) delete row.dataset.directFailure
    else row.dataset.directFailure = model.directFailure
    const stateCell = cell(row, 3)
    setText(stateCell, model.directFailure === undefined ? model.stateLabel : `${model.stateLabel} · no direct path`)
    stateCell.title = model.directFailure ?? ''
    stateCell.className = `state state-${model.state}`
    setText(cell(row, 4), model.score)
    setText(cell(row, 5), model.rtt)
    setText(cell(row, 6), model.since)
  }

  return {
    render (views, nowMs, candidates, ice) {
      const sorted = sortPeerViews(views)
      const seen = new Set<string>()
      let previous: HTMLTableRowElement | null = null
      for (const view of sorted) {
        seen.add(view.peerId)
        let row = rows.get(view.peerId)
        if (row === undefined) {
          row = createRow(view.peerId)
          rows.set(view.peerId, row)
        }
        fill(row, toPeerRow(view, nowMs, candidates?.get(view.peerId), ice))
        const wantedNext: ChildNode | null = previous === null ? tbody.firstChild : previous.nextSibling
        if (wantedNext !== row) tbody.insertBefore(row, wantedNext)
        previous = row
      }
      for (const [peerId, row] of rows) {
        if (!seen.has(peerId)) {
          row.remove()
          rows.delete(peerId)
        }
      }
    }
  }
}

function setText (element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text
}
