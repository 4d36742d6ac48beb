/**
 * The page: claims an identity slot, starts a full peermesh node in this tab, and wires the
 * node's events to the graph, the peer table, the counters, the chat and the event log.
 *
 * Relay discovery does not hold the node back: it starts with the relays named in the page URL
 * and the one this origin named last time, and dials the peers in its persistent store at once;
 * the origin's `/api/bootstrap` answer is added whenever it arrives. Only a tab that knows no
 * relay at all (and so has nothing to dial) waits for that answer, at most 5 s.
 */
import {
  browserPeerManagerOptions,
  createPeerMeshNode,
  createPersistentPeerStore,
  forgetPrivateKey,
  loadOrCreatePrivateKey,
  parseNodeAddress
} from '@peermesh/core'
import type { Logger, NodeLogEvent, PeerMeshNode, PeerView } from '@peermesh/core'
import { readCandidatePairs, sameCandidatePairs, type CandidatePairs } from './candidate-types.js'
import { createChat } from './chat.js'
import { createEventLog } from './event-log.js'
import { claimIdentitySlot } from './identity-slot.js'
import type { IdentitySlot } from './identity-slot.js'
import { createMeshGraph } from './mesh-graph.js'
import { shortPeerId } from './mesh-graph-model.js'
import { iceServersFromUrl, pageOptionsFromUrl, peerManagerOverrides } from './page-options.js'
import { requireSecureContext } from './secure-context.js'
import { countPeers, createDialFailureCounter, createPeerTable, type IceSetup } from './peer-table.js'
import { addressesFromPageUrl, createInviteLink, fetchBootstrap, readCachedBootstrap, relayAddressesInDialOrder, withRelayParam, writeCachedBootstrap } from './relay-discovery.js'
import type { BootstrapInfo } from './relay-discovery.js'

/** How often the "connected for" column is refreshed. */
const CLOCK_TICK_MS = 1000

function byId<T extends HTMLElement> (id: string): T {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`index.html lacks #${id}`)
  return element as T
}

const ui = {
  selfId: byId<HTMLElement>('self-id'),
  slot: byId<HTMLElement>('slot'),
  status: byId<HTMLElement>('status'),
  graph: byId<HTMLElement>('graph'),
  peerCount: byId<HTMLElement>('peer-count'),
  knownCount: byId<HTMLElement>('known-count'),
  dialsFailed: byId<HTMLElement>('dials-failed'),
  addPeerForm: byId<HTMLFormElement>('add-peer'),
  addPeerInput: byId<HTMLInputElement>('add-peer-input'),
  inviteLink: byId<HTMLInputElement>('invite-link'),
  copyInvite: byId<HTMLButtonElement>('copy-invite'),
  forget: byId<HTMLButtonElement>('forget'),
  peerRows: byId<HTMLTableSectionElement>('peer-rows'),
  noPeers: byId<HTMLElement>('no-peers'),
  eventLog: byId<HTMLOListElement>('event-log'),
  showDebug: byId<HTMLInputElement>('show-debug')
}

const log = createEventLog(ui.eventLog, ui.showDebug)
const chat = createChat({
  form: byId<HTMLFormElement>('chat-form'),
  input: byId<HTMLInputElement>('chat-input'),
  send: byId<HTMLButtonElement>('chat-send'),
  list: byId<HTMLOListElement>('chat-messages'),
  status: byId<HTMLElement>('chat-status')
})
const peerTable = createPeerTable(ui.peerRows, (address, peerId) => {
  void copyText(address, `address of ${peerId}`)
})
const graph = createMeshGraph(ui.graph)
const dialFailures = createDialFailureCounter()

function note (level: NodeLogEvent['level'], message: string, fields?: Record<string, unknown>): void {
  log.add({ level, message, at: Date.now(), ...(fields === undefined ? {} : { fields }) })
}

/**
 * The node's logger writes into the event log. It carries everything the node's `log` event does
 * (the node logs those lines through it too) plus the router's and the PeerManager's lines
 * (connected, dial failed, evicting…), so the page listens to the logger, not to `log`.
 */
const pageLogger: Logger = {
  debug: (message, fields) => { note('debug', message, fields) },
  info: (message, fields) => { note('info', message, fields) },
  warn: (message, fields) => { note('warn', message, fields) },
  error: (message, fields) => { note('error', message, fields) }
}

function setStatus (text: string, isError = false): void {
  ui.status.textContent = text
  ui.status.classList.toggle('error', isError)
}

async function copyText (text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    setStatus(`Copied the ${what}.`)
  } catch {
    // No clipboard permission (e.g. an insecure origin): the text stays selectable instead.
    setStatus(`Could not use the clipboard; select and copy the ${what} by hand.`)
  }
}

/** Validates and normalises an address typed or received; undefined (and a log line) when invalid. */
function normaliseAddress (address: string, source: string): string | undefined {
  try {
    return parseNodeAddress(address).toString()
  } catch (err) {
    note('warn', `ignored an invalid address from ${source}`, { address, error: err })
    return undefined
  }
}

const relays = new Set<string>()
let lastPeers: PeerView[] = []
let candidatePairs: CandidatePairs = new Map()
/** Whether this page's WebRTC has a TURN server, once its ICE servers are known (a failed direct dial's reason). */
const iceSetup: IceSetup = { turn: undefined }

function renderPeers (views: PeerView[]): void {
  lastPeers = views
  const counts = countPeers(views)
  ui.peerCount.textContent = String(counts.connected)
  ui.knownCount.textContent = String(counts.known)
  dialFailures.observe(views)
  ui.dialsFailed.textContent = String(dialFailures.total())
  peerTable.render(views, Date.now(), candidatePairs, iceSetup)
  ui.noPeers.hidden = views.length > 0
}

function renderInvite (node: PeerMeshNode): void {
  const page = new URL(location.href)
  ui.inviteLink.value = createInviteLink(`${page.origin}${page.pathname}`, {
    relays: [...relays],
    peers: node.addresses()
  })
}

function wire (node: PeerMeshNode, slot: IdentitySlot): void {
  node.addEventListener('peers:change', (event) => { renderPeers(event.detail) })
  node.addEventListener('topology:change', (event) => { graph.update(event.detail) })
  node.addEventListener('broadcast:message', (event) => { chat.show(event.detail) })
  node.addEventListener('addresses:change', () => { renderInvite(node) })

  // Each tick also re-reads which ICE candidates the direct links use (getStats is cheap).
  let readingPairs = false
  const refreshCandidatePairs = async (): Promise<void> => {
    if (readingPairs) return
    readingPairs = true
    try {
      const pairs = await readCandidatePairs(node.libp2p)
      if (!sameCandidatePairs(pairs, candidatePairs)) {
        candidatePairs = pairs
        graph.setCandidatePairs(pairs)
      }
    } finally {
      readingPairs = false
    }
  }
  node.addEventListener('peers:change', () => { void refreshCandidatePairs().then(() => { peerTable.render(lastPeers, Date.now(), candidatePairs, iceSetup) }) })
  setInterval(() => {
    void refreshCandidatePairs().then(() => { peerTable.render(lastPeers, Date.now(), candidatePairs, iceSetup) })
  }, CLOCK_TICK_MS)

  ui.addPeerForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const address = normaliseAddress(ui.addPeerInput.value.trim(), 'the address field')
    if (address === undefined) {
      setStatus('That is not a valid NodeAddress URL or multiaddr.', true)
      return
    }
    relays.add(address)
    node.addPeer(address)
    history.replaceState(null, '', withRelayParam(location.href, address))
    ui.addPeerInput.value = ''
    renderInvite(node)
    setStatus(`Added ${address}.`)
  })

  ui.copyInvite.addEventListener('click', () => {
    ui.inviteLink.select()
    void copyText(ui.inviteLink.value, 'invite link')
  })

  ui.forget.addEventListener('click', () => {
    ui.forget.disabled = true
    setStatus('Forgetting this peer…')
    void forgetThisPeer(node, slot)
  })

  // Close every connection as the tab goes away, so peers learn at once rather than after an
  // ICE timeout. A page restored from the back/forward cache starts over with the same slot.
  addEventListener('pagehide', () => {
    void node.stop()
  })
  addEventListener('pageshow', (event) => {
    if (event.persisted) location.reload()
  })
}

/**
 * Deletes this slot's identity and known peers, then reloads: the tab keeps its slot and comes
 * back as a new peer. The slot's IndexedDB database holds nothing else, so it is deleted whole
 * (core's connections close themselves on `versionchange`, so nothing blocks the deletion).
 */
async function forgetThisPeer (node: PeerMeshNode, slot: IdentitySlot): Promise<void> {
  try {
    await node.stop()
    await forgetPrivateKey({ location: slot.dbName })
    await deleteDatabase(slot.dbName)
  } catch (err) {
    note('error', 'could not forget this peer', { error: err })
    setStatus('Could not forget this peer; see the event log.', true)
    ui.forget.disabled = false
    return
  }
  location.reload()
}

class DatabaseDeleteError extends Error {
  override name = 'DatabaseDeleteError'
}

async function deleteDatabase (name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => { resolve() }
    request.onerror = () => { reject(new DatabaseDeleteError(`could not delete IndexedDB database "${name}"`, { cause: request.error })) }
  })
}

/**
 * Asks the page's origin for its relay (`/api/bootstrap`, bounded to 5 s) and remembers the
 * answer for the next load. Resolves with undefined when there is none; never rejects.
 */
async function askOrigin (): Promise<BootstrapInfo | undefined> {
  try {
    const info = await fetchBootstrap({ origin: location.origin })
    try {
      writeCachedBootstrap(localStorage, info)
    } catch (err) {
      note('debug', 'could not remember the relay of this origin', { error: err })
    }
    return info
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error'
    note(relays.size === 0 ? 'warn' : 'debug', `no relay at this origin (${name})`, { error: err })
    return undefined
  }
}

function cachedOriginRelay (): BootstrapInfo | undefined {
  try {
    return readCachedBootstrap(localStorage)
  } catch {
    return undefined
  }
}

/** Adds the relay addresses of an `/api/bootstrap` answer (in dial order); returns those that were new. */
function addOriginRelay (info: BootstrapInfo): string[] {
  const added: string[] = []
  for (const raw of relayAddressesInDialOrder(info.addresses, location.protocol)) {
    const address = normaliseAddress(raw, '/api/bootstrap')
    if (address === undefined || relays.has(address)) continue
    relays.add(address)
    added.push(address)
  }
  return added
}

/** `stun:a, turn:b (with credentials)`, for the event log; never the credentials themselves. */
function describeIceServers (servers: RTCIceServer[]): string {
  if (servers.length === 0) return 'none (host candidates only)'
  return servers.map(server => {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls
    return `${urls.join(' ')}${server.username != null ? ' (with credentials)' : ''}`
  }).join(', ')
}

async function start (): Promise<void> {
  requireSecureContext(window.isSecureContext, location.href)
  // `?ice=` (checked before anything starts: a malformed value stops the page with its reason)
  // wins over the relay's list; otherwise the origin's `/api/bootstrap` answer names them.
  const iceFromUrl = iceServersFromUrl(location.href)
  setStatus('Claiming an identity slot…')
  const slot = await claimIdentitySlot({ locks: navigator.locks, session: sessionStorage })
  ui.slot.textContent = `(slot ${slot.slot}${slot.resumed ? ', resumed' : ''})`

  // Bootstrap (persistent) peers: the page URL's relays and the relay this origin named last
  // time. Only when there are none, and so nothing this tab could dial yet, does the start wait
  // for the origin's answer; otherwise that answer is added whenever it arrives.
  const fromUrl = addressesFromPageUrl(location.href)
  for (const raw of fromUrl.relays) {
    const address = normaliseAddress(raw, 'the page URL')
    if (address !== undefined) relays.add(address)
  }
  const cached = cachedOriginRelay()
  if (cached !== undefined) addOriginRelay(cached)
  const originAnswer = askOrigin()
  // Asked before every new peer connection: the first ones wait for the origin's answer (at
  // most its 5 s bound), so that they get the relay's STUN/TURN servers and fresh credentials.
  const iceServers = async (): Promise<RTCIceServer[]> => {
    const servers = iceFromUrl ?? (await originAnswer)?.iceServers ?? []
    iceSetup.turn = servers.some(server => [server.urls].flat().some(url => /^turns?:/i.test(url)))
    return servers
  }
  if (relays.size === 0) {
    setStatus('Looking for a relay at this origin…')
    const info = await originAnswer
    if (info !== undefined) addOriginRelay(info)
  }

  const pageOptions = pageOptionsFromUrl(location.href)
  for (const line of pageOptions.ignored) note('warn', `ignored page option ${line}`)

  setStatus('Loading identity…')
  const { privateKey, created } = await loadOrCreatePrivateKey({ location: slot.dbName, logger: pageLogger })
  const peerStore = await createPersistentPeerStore({ location: slot.dbName, logger: pageLogger })
  const node = await createPeerMeshNode({
    role: 'browser',
    privateKey,
    peerStore,
    bootstrap: [...relays],
    iceServers,
    logger: pageLogger,
    peerManager: peerManagerOverrides(pageOptions.options, browserPeerManagerOptions)
  })
  note('info', `${created ? 'created a new identity' : 'loaded the identity'} in slot ${slot.slot}${slot.resumed ? ' (same tab as before)' : ''}`, { peerId: node.peerId, database: slot.dbName })
  ui.selfId.textContent = node.peerId
  ui.selfId.title = node.peerId
  document.title = `peermesh: ${node.peerId.slice(-6)}`
  wire(node, slot)

  setStatus('Starting the node…')
  await node.start()
  chat.setSender(async (text) => { await node.broadcast(text) })
  setStatus('Running.')

  for (const raw of fromUrl.peers) {
    const address = normaliseAddress(raw, 'the invite link')
    if (address !== undefined) node.addPeer(address)
  }
  if (iceFromUrl !== undefined) note('info', `ICE servers from ?ice=: ${describeIceServers(iceFromUrl)}`)
  renderPeers(node.peers())
  graph.update(node.topology())
  renderInvite(node)

  const info = await originAnswer
  if (info !== undefined) {
    for (const address of addOriginRelay(info)) node.addPeer(address)
    note('info', `relay at this origin: ${shortPeerId(info.peerId)}`, { relay: info.peerId, addresses: info.addresses })
    if (iceFromUrl === undefined) note('info', `ICE servers from the relay: ${describeIceServers(info.iceServers ?? [])}`)
    renderInvite(node)
  } else if (relays.size === 0) {
    setStatus('No relay found: add a relay address below, or open the page with ?relay=<address>.', true)
  }
}

start().catch((err: unknown) => {
  const name = err instanceof Error ? err.name : 'Error'
  const message = err instanceof Error ? err.message : String(err)
  setStatus(`Could not start (${name}): ${message}`, true)
  note('error', 'start failed', { error: err })
})
