/**
 * Fixtures of the NAT lab scenarios (`npm run test:nat -w @peermesh/e2e`, as root).
 *
 * - `lab` (worker): the namespaces of `lab.js`, built once per worker (leftovers of an earlier,
 *   failed run torn down first) and torn down afterwards, also when the worker dies.
 * - `turn` (worker): a real coturn in the "internet", started with its own configuration in a
 *   temporary directory and a random `static-auth-secret`; ready once it listens on both server
 *   addresses.
 * - `labRelay(options)`: a `peermesh-relay` in the "internet" on 198.19.0.10, serving the page.
 * - `labPeer(home, options)`: a `--role peer` Node process inside a home.
 * - `homeTab(home, relay)`: a Chromium tab inside a home's namespace (Playwright launches
 *   Chromium through `ip netns exec`, over its pipe), the page at `relay`'s origin treated as
 *   secure for this browser only; RTCPeerConnections tracked for `getStats()`.
 * - `premise`: what each home's NAT really does, from the STUN server's view (the tab's srflx
 *   candidates) and from the router's (conntrack): a test that cannot get its premise fails.
 */
/* eslint-disable no-empty-pattern */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium, expect, test as base, type Browser, type TestInfo } from '@playwright/test'
import { chromiumArgs, chromiumExecutable } from '../../scripts/chromium.js'
import { MeshPage, recordPeerCountHighWaterMark } from '../fixtures/mesh-page.js'
import { forgetDisposedRelayProcesses, knownRelayProcesses, startRelay, type RelayProcess, type StartRelayOptions } from '../fixtures/relay-process.js'
import { describePair, selectedPairs, trackPeerConnections, type SelectedPair } from '../fixtures/ice-stats.js'
import { cannotRunReason, coturnCommand, coturnConfig, homeByName, INET, SERVER_IP, SERVER_IP_2, setup, teardown, TURN_PORT, type Home } from './lab.js'

export { expect }
export type { Home, SelectedPair }

/** The lab's coturn. */
export interface Turn {
  secret: string
  /** `stun:198.19.0.10:3478` */
  stun: string
  /** `turn:198.19.0.10:3478?transport=udp` */
  turn: string
  logFile: string
}

export interface LabTab extends MeshPage {
  readonly home: Home
  /** The selected pair of every connected RTCPeerConnection in this tab (one reading). */
  selectedPairs(): Promise<SelectedPair[]>
}

export interface OpenHomeTabOptions {
  query?: Record<string, string>
  /** The page's URL when it is served elsewhere than by `relay` (e.g. `pageServer()`). @default relay.url('/') */
  pageUrl?: string
  /**
   * base64 SHA-256 SubjectPublicKeyInfo hashes of certificates this browser trusts (Chromium's
   * `--ignore-certificate-errors-spki-list`): the relay's test certificate for an https page.
   */
  trustSpki?: string[]
}

interface WorkerFixtures {
  lab: void
  turn: Turn
}

interface TestFixtures {
  /** A static server in the "internet" serving the built page (no relay behind it); returns its URL. */
  pageServer: () => Promise<string>
  labRelay: (options?: StartRelayOptions) => Promise<RelayProcess>
  labPeer: (home: string, options?: StartRelayOptions) => Promise<RelayProcess>
  homeTab: (home: string, relay: RelayProcess, options?: OpenHomeTabOptions) => Promise<LabTab>
  relayLogsOnFailure: void
}

/** ICE flags for a relay or Node peer: STUN, and TURN with REST credentials from coturn's secret. */
export function iceFlags (turn: Turn, what: 'stun' | 'stun+turn'): { extraArgs: string[], env: Record<string, string> } {
  if (what === 'stun') return { extraArgs: ['--ice-servers', turn.stun], env: {} }
  return { extraArgs: ['--ice-servers', `${turn.stun},${turn.turn}`], env: { PEERMESH_TURN_SECRET: turn.secret } }
}

/** Waits for `check` to hold, reading it every 50 ms, up to `timeoutMs`; for worker fixtures, outside `expect.poll`. */
async function waitFor (what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`NAT lab: ${what} within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function listening (netns: string, protocol: 'udp' | 'tcp', addresses: string[]): boolean {
  const result = spawnSync('ip', ['netns', 'exec', netns, 'ss', '-Hln', protocol === 'udp' ? '-u' : '-t'], { encoding: 'utf8' })
  return addresses.every(address => result.stdout.includes(address))
}

/** One UDP flow through a home router, from conntrack. */
export interface NatFlow {
  /** The home host's source port. */
  sourcePort: number
  /** `address:port` it sends to. */
  destination: string
  /** The public port the router maps it to on its WAN address. */
  publicPort: number
}

/** A home router's UDP flows from its home host (conntrack), optionally from one source port only. */
export function natFlows (home: Home, sourcePort?: number): NatFlow[] {
  const filter = sourcePort === undefined ? [] : ['--orig-port-src', String(sourcePort)]
  const result = spawnSync('ip', ['netns', 'exec', home.router, 'conntrack', '-L', '-p', 'udp', '--orig-src', home.ip, ...filter], { encoding: 'utf8' })
  const flows: NatFlow[] = []
  for (const line of result.stdout.split('\n')) {
    // udp 17 25 src=<home> dst=<server> sport=<p> dport=3478 src=<server> dst=<wan> sport=3478 dport=<public port>
    const m = /src=\S+ dst=(\S+) sport=(\d+) dport=(\d+) .*?src=\S+ dst=\S+ sport=\d+ dport=(\d+)/.exec(line)
    if (m != null) flows.push({ sourcePort: Number(m[2]), destination: `${m[1]}:${m[3]}`, publicPort: Number(m[4]) })
  }
  return flows
}

/** The router's public port per destination for one source port of its home host. */
export function natMappings (home: Home, sourcePort: number): Map<string, number> {
  return new Map(natFlows(home, sourcePort).map(flow => [flow.destination, flow.publicPort]))
}

/** What one home's NAT does, seen from its tab and its router. */
export interface NatPremise {
  /** The tab's host candidate address (its private address). */
  hostAddress: string
  /** `address:port` of each srflx candidate the two STUN servers reported. */
  reflexive: string[]
  /** The router's public port per STUN destination for the tab's one ICE socket (conntrack). */
  mappings: Map<string, number>
}

/**
 * Gathers candidates in the tab against both of coturn's addresses (two STUN destinations), and
 * reads the router's mappings of that socket from conntrack.
 */
export async function probeNat (tab: LabTab): Promise<NatPremise> {
  const gathered = await tab.page.evaluate(async ([a, b]) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: a! }, { urls: b! }] })
    pc.createDataChannel('nat-probe')
    const candidates: RTCIceCandidate[] = []
    const complete = new Promise<void>(resolve => {
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() })
    })
    pc.addEventListener('icecandidate', event => { if (event.candidate != null) candidates.push(event.candidate) })
    await pc.setLocalDescription(await pc.createOffer())
    await complete
    pc.close()
    return candidates.filter(c => c.protocol === 'udp').map(c => ({ type: c.type, address: c.address, port: c.port, relatedPort: c.relatedPort }))
  }, [`stun:${SERVER_IP}:${TURN_PORT}`, `stun:${SERVER_IP_2}:${TURN_PORT}`])
  const host = gathered.find(c => c.type === 'host')
  if (host?.address == null || host.port == null) throw new Error(`the tab in home ${tab.home.name} gathered no host candidate: ${JSON.stringify(gathered)}`)
  return {
    hostAddress: host.address,
    reflexive: gathered.filter(c => c.type === 'srflx').map(c => `${c.address}:${c.port}`),
    mappings: natMappings(tab.home, host.port)
  }
}

/**
 * Fails unless the tab really is behind its home's kind of NAT: its public (srflx) address is the
 * router's and differs from its host address; an endpoint-independent NAT maps its socket to one
 * public port for both STUN destinations, a symmetric one to a different port for each.
 */
export async function expectBehindNat (tab: LabTab): Promise<NatPremise> {
  const premise = await probeNat(tab)
  const { home } = tab
  expect(premise.hostAddress, `home ${home.name}'s tab has its private address`).toBe(home.ip)
  expect(premise.reflexive.length, `home ${home.name}'s tab got a server-reflexive candidate from the STUN server`).toBeGreaterThan(0)
  for (const reflexive of premise.reflexive) {
    expect(reflexive.split(':')[0], `the STUN server sees home ${home.name} at its router's public address, not its host address`).toBe(home.wanIp)
  }
  const ports = [SERVER_IP, SERVER_IP_2].map(ip => premise.mappings.get(`${ip}:${TURN_PORT}`))
  expect(ports.every(port => port !== undefined), `router ${home.name} has a mapping toward both STUN addresses: ${JSON.stringify([...premise.mappings])}`).toBe(true)
  if (home.nat === 'symmetric') {
    expect(ports[0], `router ${home.name} (symmetric) maps one socket to a different public port per destination`).not.toBe(ports[1])
    expect(new Set(premise.reflexive).size, `home ${home.name}'s tab sees two different public ports`).toBe(2)
  } else {
    expect(ports[0], `router ${home.name} (home NAT) maps one socket to one public port for every destination`).toBe(ports[1])
  }
  return premise
}

/** Waits until the tab has a connected RTCPeerConnection whose selected pair satisfies `what`, and returns that pair. */
export async function linkWhere (tab: LabTab, description: string, what: (pair: SelectedPair) => boolean, options: { timeout?: number } = {}): Promise<SelectedPair> {
  let found: SelectedPair | undefined
  let seen: SelectedPair[] = []
  try {
    await expect.poll(async () => {
      seen = await tab.selectedPairs()
      found = seen.find(what)
      return found !== undefined
    }, {
      message: `${tab.name} has a WebRTC link whose selected candidate pair ${description}`,
      timeout: options.timeout
    }).toBe(true)
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nselected pairs of its connected peer connections: ${seen.map(describePair).join('; ') || 'none'}`, { cause: err })
  }
  if (found === undefined) throw new Error(`no pair among ${seen.map(describePair).join('; ')}`)
  return found
}

/**
 * The page shows the candidate types the test read itself: the peer row's `data-candidate-local`
 * and `data-candidate-remote` (and `data-via-turn` when either is `relay`), from its own getStats().
 */
export async function expectPageShowsPair (tab: LabTab, peerId: string, pair: SelectedPair): Promise<void> {
  const row = tab.peerRow(peerId)
  await expect(row, `${tab.name}'s peer table shows the local candidate type of the link`).toHaveAttribute('data-candidate-local', pair.local.type)
  await expect(row, `${tab.name}'s peer table shows the remote candidate type of the link`).toHaveAttribute('data-candidate-remote', pair.remote.type)
  const viaTurn = pair.local.type === 'relay' || pair.remote.type === 'relay'
  if (viaTurn) {
    await expect(row, `${tab.name}'s peer table says the link goes through TURN`).toHaveAttribute('data-via-turn', 'true')
    await expect(row, `${tab.name}'s peer table names TURN in the transport cell`).toContainText('TURN')
  } else {
    await expect(row, `${tab.name}'s peer table does not claim TURN`).not.toHaveAttribute('data-via-turn', 'true')
  }
}

/** A connected link whose selected pair reaches `address` (a remote candidate there). */
export async function linkTo (tab: LabTab, address: string, options: { timeout?: number } = {}): Promise<SelectedPair> {
  return await linkWhere(tab, `reaches ${address}`, pair => pair.remote.address === address, options)
}

/**
 * A link to `address` whose selected pair uses no TURN relay candidate on either end. ICE may
 * first select a pair through TURN (it answers sooner) and move to the direct one a moment later
 * (0.4–0.9 s in scripts/bench-nat.mjs): this waits for that state, within the timeout, instead of
 * judging the first pair selected. A link that stays on TURN fails.
 */
export async function directLinkTo (tab: LabTab, address: string, options: { timeout?: number } = {}): Promise<SelectedPair> {
  return await linkWhere(tab, `reaches ${address} without a TURN relay`,
    pair => pair.remote.address === address && pair.local.type !== 'relay' && pair.remote.type !== 'relay', options)
}

/** A connected link whose selected pair goes through a TURN relay candidate (on either end). */
export async function relayedLink (tab: LabTab, options: { timeout?: number } = {}): Promise<SelectedPair> {
  return await linkWhere(tab, 'goes through a TURN relay candidate', pair => pair.local.type === 'relay' || pair.remote.type === 'relay', options)
}

async function chromiumInNamespace (dir: string, home: Home): Promise<string> {
  const executable = chromiumExecutable()
  if (executable == null) throw new Error('the NAT lab needs a Chromium binary (scripts/chromium.js)')
  const wrapper = join(dir, `chromium-${home.name}.sh`)
  // exec keeps Playwright's pipe (fds 3 and 4) to the browser.
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${home.netns} ${executable} "$@"\n`)
  await chmod(wrapper, 0o755)
  return wrapper
}

async function attachLogs (testInfo: TestInfo, before: Map<RelayProcess, number>): Promise<void> {
  for (const proc of knownRelayProcesses()) {
    const lines = proc.logLines().slice(before.get(proc) ?? 0)
    if (lines.length > 0) await testInfo.attach(`${proc.name}.log`, { body: lines.join('\n'), contentType: 'text/plain' })
  }
}

let tabNumber = 0

export const test = base.extend<TestFixtures, WorkerFixtures>({
  lab: [async ({}, use) => {
    const reason = cannotRunReason()
    if (reason !== undefined) throw new Error(`NAT lab: ${reason}`)
    setup()
    const onExit = (): void => { teardown() }
    process.once('exit', onExit)
    await use()
    process.off('exit', onExit)
    teardown()
  }, { scope: 'worker', auto: true }],

  turn: [async ({ lab: _lab }, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'peermesh-nat-turn-'))
    const secret = randomBytes(18).toString('base64url')
    const config = join(dir, 'turnserver.conf')
    await writeFile(config, coturnConfig({ dir, secret }), { mode: 0o600 })
    const [file, ...args] = coturnCommand(config)
    const proc: ChildProcess = spawn(file!, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    proc.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = new Promise<void>(resolve => proc.once('exit', () => { resolve() }))
    try {
      const addresses = [SERVER_IP, SERVER_IP_2].map(ip => `${ip}:${TURN_PORT}`)
      await waitFor('coturn listens on both server addresses', 15_000, () => {
        if (proc.exitCode != null) throw new Error(`coturn exited (${proc.exitCode}): ${stderr}`)
        return listening(INET, 'udp', addresses) && listening(INET, 'tcp', addresses)
      })
      await use({
        secret,
        stun: `stun:${SERVER_IP}:${TURN_PORT}`,
        turn: `turn:${SERVER_IP}:${TURN_PORT}?transport=udp`,
        logFile: join(dir, 'turnserver.log')
      })
    } finally {
      proc.kill('SIGTERM')
      await exited
      await rm(dir, { recursive: true, force: true })
    }
  }, { scope: 'worker' }],

  pageServer: async ({}, use) => {
    const servers: ChildProcess[] = []
    await use(async () => {
      const dist = fileURLToPath(new URL('../../packages/web-demo/dist', import.meta.url))
      const script = fileURLToPath(new URL('./page-server.mjs', import.meta.url))
      const proc = spawn('ip', ['netns', 'exec', INET, process.execPath, script, SERVER_IP, dist], { stdio: ['ignore', 'pipe', 'inherit'] })
      servers.push(proc)
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: proc.stdout! }).once('line', resolve)
        proc.once('exit', code => { reject(new Error(`the page server exited (${String(code)})`)) })
      })
      return (JSON.parse(line) as { url: string }).url
    })
    for (const proc of servers) {
      if (proc.exitCode != null || proc.signalCode != null) continue
      const exited = new Promise(resolve => proc.once('exit', resolve))
      proc.kill('SIGTERM')
      await exited
    }
  },

  labRelay: async ({}, use) => {
    const spawned: RelayProcess[] = []
    await use(async (options = {}) => {
      const relay = await startRelay({ name: 'lab-relay', ...options, netns: INET, host: SERVER_IP })
      spawned.push(relay)
      return relay
    })
    for (const relay of spawned.reverse()) await relay.dispose()
  },

  labPeer: async ({}, use) => {
    const spawned: RelayProcess[] = []
    await use(async (name, options = {}) => {
      const home = homeByName(name)
      const peer = await startRelay({ name: `lab-peer-${name}`, role: 'peer', ...options, netns: home.netns, host: home.ip })
      spawned.push(peer)
      return peer
    })
    for (const peer of spawned.reverse()) await peer.dispose()
  },

  homeTab: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'peermesh-nat-browsers-'))
    const browsers: Browser[] = []
    await use(async (name, relay, options = {}) => {
      const home = homeByName(name)
      const pageUrl = new URL(options.pageUrl ?? relay.url('/'))
      for (const [key, value] of Object.entries(options.query ?? {})) pageUrl.searchParams.set(key, value)
      const origin = new URL(pageUrl.origin)
      const browser = await chromium.launch({
        executablePath: await chromiumInNamespace(dir, home),
        headless: true,
        args: [
          ...chromiumArgs,
          // Web Locks need a secure context: a plain http page on a lab address is treated as one
          // for this browser only; an https page is one, given its certificate is trusted.
          ...(origin.protocol === 'http:' ? [`--unsafely-treat-insecure-origin-as-secure=${origin.origin}`] : []),
          ...(options.trustSpki === undefined ? [] : [`--ignore-certificate-errors-spki-list=${options.trustSpki.join(',')}`])
        ]
      })
      browsers.push(browser)
      const context = await browser.newContext()
      await context.addInitScript(recordPeerCountHighWaterMark)
      await context.addInitScript(trackPeerConnections)
      const page = await context.newPage()
      const tab = Object.assign(new MeshPage(page, `home ${name}'s tab ${++tabNumber}`), {
        home,
        selectedPairs: async () => await page.evaluate(selectedPairs)
      }) as LabTab
      await page.goto(pageUrl.toString())
      return tab
    })
    // Playwright keeps a trace of every context on failure (trace: 'retain-on-failure').
    for (const browser of browsers) await browser.close()
    await rm(dir, { recursive: true, force: true })
  },

  relayLogsOnFailure: [async ({ turn }, use, testInfo) => {
    const before = new Map(knownRelayProcesses().map(proc => [proc, proc.logLines().length]))
    const turnLogBefore = (await readFile(turn.logFile, 'utf8').catch(() => '')).length
    await use()
    if (testInfo.status !== testInfo.expectedStatus) {
      await attachLogs(testInfo, before)
      const turnLog = (await readFile(turn.logFile, 'utf8').catch(() => '')).slice(turnLogBefore)
      if (turnLog !== '') await testInfo.attach('turnserver.log', { body: turnLog, contentType: 'text/plain' })
    }
    forgetDisposedRelayProcesses()
  }, { auto: true }]
})
