#!/usr/bin/env node
// The NAT lab: home networks behind NAT routers and an "internet", all Linux network namespaces
// with addresses from 198.18.0.0/15 only, nothing in the host's own namespace, no route to the
// host's interface. Used by the e2e NAT scenarios (e2e/nat/*.spec.ts) and by hand:
//
//   node e2e/nat/lab.js up        # tear down leftovers, then build the lab (as root)
//   node e2e/nat/lab.js down      # end every process inside the lab's namespaces, delete them
//   node e2e/nat/lab.js print     # the exact commands `up` runs, as a shell script
//   node e2e/nat/lab.js check     # exit 0 when namespaces can be made here, 3 (one line) when not
//
// Topology (docs/DEPLOYMENT.md, "The NAT lab"):
//
//   home-a 198.18.1.10 ── lan 198.18.1.1 [rtr-a: home NAT]      wan 198.19.0.2 ──┐
//   home-b 198.18.2.10 ── lan 198.18.2.1 [rtr-b: home NAT]      wan 198.19.0.3 ──┼─ br0 in "inet"
//   home-c 198.18.3.10 ── lan 198.18.3.1 [rtr-c: symmetric NAT] wan 198.19.0.4 ──┤  198.19.0.10
//                                                                                 ┘  198.19.0.11
// "home" NAT: nftables masquerade (endpoint-independent mapping) plus a home router's input
// firewall; "symmetric": masquerade random (a new public port per destination), same firewall.
// Every namespace has an egress guard (only loopback and 198.18.0.0/15) and IPv6 off.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

/** Every namespace of the lab starts with this; teardown deletes exactly these. */
export const PREFIX = 'pmlab-'
export const INET = `${PREFIX}inet`
/** The "internet" server (relay, page, coturn) and its second address (a second STUN destination). */
export const SERVER_IP = '198.19.0.10'
export const SERVER_IP_2 = '198.19.0.11'

/** @type {ReadonlyArray<import('./lab.js').Home>} */
export const HOMES = Object.freeze([
  home('a', 'home', 1, '198.19.0.2'),
  home('b', 'home', 2, '198.19.0.3'),
  home('c', 'symmetric', 3, '198.19.0.4')
])

/**
 * @param {string} name
 * @param {'home' | 'symmetric'} nat
 * @param {number} subnet
 * @param {string} wanIp
 */
function home (name, nat, subnet, wanIp) {
  return Object.freeze({
    name,
    nat,
    netns: `${PREFIX}home-${name}`,
    router: `${PREFIX}rtr-${name}`,
    ip: `198.18.${subnet}.10`,
    gateway: `198.18.${subnet}.1`,
    wanIp
  })
}

/** @param {string} name */
export function homeByName (name) {
  const found = HOMES.find(h => h.name === name)
  if (found === undefined) throw new Error(`no lab home "${name}"`)
  return found
}

const EGRESS_GUARD = `table inet pmlab_guard {
  chain output {
    type filter hook output priority 0; policy drop;
    oifname "lo" accept
    ip daddr 198.18.0.0/15 accept
  }
}
`

/** @param {'home' | 'symmetric'} nat */
function routerRules (nat) {
  return `table ip pmlab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade${nat === 'symmetric' ? ' random' : ''}
  }
}
table inet pmlab_router {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
`
}

/**
 * One step of the set-up: a command and, for `nft -f -`, its standard input.
 * @typedef {{ argv: string[], input?: string }} Step
 */

/** @returns {Step[]} the commands `up` runs, in order (after a teardown). */
export function setupSteps () {
  /** @type {Step[]} */
  const steps = []
  const run = (/** @type {string[]} */ ...argv) => { steps.push({ argv }) }
  const nft = (/** @type {string} */ netns, /** @type {string} */ rules) => {
    steps.push({ argv: ['ip', 'netns', 'exec', netns, 'nft', '-f', '-'], input: rules })
  }
  const namespace = (/** @type {string} */ netns) => {
    run('ip', 'netns', 'add', netns)
    run('ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1')
    run('ip', '-n', netns, 'link', 'set', 'lo', 'up')
    nft(netns, EGRESS_GUARD)
  }

  namespace(INET)
  run('ip', '-n', INET, 'link', 'add', 'br0', 'type', 'bridge')
  run('ip', '-n', INET, 'addr', 'add', `${SERVER_IP}/24`, 'dev', 'br0')
  run('ip', '-n', INET, 'addr', 'add', `${SERVER_IP_2}/24`, 'dev', 'br0')
  run('ip', '-n', INET, 'link', 'set', 'br0', 'up')

  for (const h of HOMES) {
    namespace(h.router)
    namespace(h.netns)
    // Both ends are created inside the namespaces: nothing ever appears in the host's.
    run('ip', 'link', 'add', 'wan', 'netns', h.router, 'type', 'veth', 'peer', 'name', `wan-${h.name}`, 'netns', INET)
    run('ip', '-n', INET, 'link', 'set', `wan-${h.name}`, 'master', 'br0', 'up')
    run('ip', '-n', h.router, 'addr', 'add', `${h.wanIp}/24`, 'dev', 'wan')
    run('ip', '-n', h.router, 'link', 'set', 'wan', 'up')
    run('ip', 'link', 'add', 'lan', 'netns', h.router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns)
    run('ip', '-n', h.router, 'addr', 'add', `${h.gateway}/24`, 'dev', 'lan')
    run('ip', '-n', h.router, 'link', 'set', 'lan', 'up')
    run('ip', '-n', h.netns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0')
    run('ip', '-n', h.netns, 'link', 'set', 'eth0', 'up')
    run('ip', '-n', h.netns, 'route', 'add', 'default', 'via', h.gateway)
    run('ip', 'netns', 'exec', h.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')
    nft(h.router, routerRules(h.nat))
    run('ip', 'netns', 'exec', h.router, 'conntrack', '-F')
  }
  return steps
}

/** The lab's namespaces that exist now (leftovers included). */
export function labNamespaces () {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
  return out.split('\n').map(line => line.split(' ')[0] ?? '').filter(name => name.startsWith(PREFIX))
}

/** @param {string} netns */
function pidsIn (netns) {
  const result = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
  if (result.status !== 0) return []
  return result.stdout.split('\n').filter(line => /^\d+$/.test(line)).map(Number)
}

/** @param {number} pid */
function alive (pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Blocks the thread for `ms` (teardown is synchronous so it can run from an exit handler). */
function pause (ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Temporary directories only the lab makes (coturn's, the browsers' wrappers, the lab relay's and
 * peers' data): a run killed outright cannot delete its own, so teardown does. The lab is one per
 * machine (fixed namespace names), so no other run can be using them.
 */
const TEMP_PREFIXES = ['peermesh-nat-', 'peermesh-e2e-lab-']

/**
 * Ends every process inside the lab's namespaces (SIGTERM, SIGKILL after 3 s), deletes the
 * namespaces, which takes their veths, bridges and nftables tables with them, and the lab's
 * temporary directories. Safe to run at any time, any number of times, also after a failed or
 * interrupted run. Synchronous.
 * @returns {string[]} the namespaces deleted
 */
export function teardown () {
  const namespaces = labNamespaces()
  const pids = namespaces.flatMap(pidsIn)
  for (const pid of pids) {
    try { process.kill(pid, 'SIGTERM') } catch { /* already gone */ }
  }
  const deadline = Date.now() + 3000
  while (pids.some(alive) && Date.now() < deadline) pause(50)
  for (const pid of pids.filter(alive)) {
    try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
  }
  for (const netns of namespaces) {
    const result = spawnSync('ip', ['netns', 'del', netns], { encoding: 'utf8' })
    if (result.status !== 0 && labNamespaces().includes(netns)) {
      throw new Error(`could not delete network namespace ${netns}: ${result.stderr.trim()}`)
    }
  }
  for (const entry of readdirSync(tmpdir())) {
    if (TEMP_PREFIXES.some(prefix => entry.startsWith(prefix))) rmSync(join(tmpdir(), entry), { recursive: true, force: true })
  }
  return namespaces
}

/** Builds the lab from scratch (any leftover lab is torn down first). */
export function setup () {
  teardown()
  try {
    for (const step of setupSteps()) {
      const [file, ...args] = step.argv
      execFileSync(/** @type {string} */ (file), args, { input: step.input, stdio: ['pipe', 'pipe', 'pipe'] })
    }
  } catch (err) {
    teardown()
    const stderr = /** @type {{ stderr?: Buffer }} */ (err).stderr?.toString().trim()
    throw new Error(`NAT lab set-up failed: ${err instanceof Error ? err.message : String(err)}${stderr ? `\n${stderr}` : ''}`, { cause: err })
  }
}

/**
 * Why this machine cannot run the lab (not root, no `ip`, no namespaces), or undefined when it
 * can: creates and deletes one probe namespace.
 */
export function cannotRunReason () {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the NAT lab needs root (network namespaces, nftables)'
  const probe = `${PREFIX}probe`
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (made.error !== undefined) return `the NAT lab needs iproute2's ip: ${made.error.message}`
  if (made.status !== 0) return `network namespaces cannot be created here: ${made.stderr.trim()}`
  spawnSync('ip', ['netns', 'del', probe])
  return undefined
}

/** coturn's UDP port on both server addresses, and its relay port range. */
export const TURN_PORT = 3478
export const TURN_RELAY_PORTS = Object.freeze({ min: 49152, max: 49407 })
export const TURN_REALM = 'peermesh.lab'

/**
 * coturn's configuration for the lab: STUN and TURN over UDP/TCP on the server's two addresses
 * only, time-limited REST credentials from a shared secret (`use-auth-secret`, what the relay's
 * `--turn-secret` signs), relaying only to the lab's "internet", everything it writes under `dir`.
 * @param {{ dir: string, secret: string }} options
 */
export function coturnConfig ({ dir, secret }) {
  return [
    `listening-ip=${SERVER_IP}`,
    `listening-ip=${SERVER_IP_2}`,
    `relay-ip=${SERVER_IP}`,
    `listening-port=${TURN_PORT}`,
    `min-port=${TURN_RELAY_PORTS.min}`,
    `max-port=${TURN_RELAY_PORTS.max}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${TURN_REALM}`,
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    // Relay only toward the lab's "internet", never into the homes' private networks (as a public
    // TURN server denies private ranges). Permitting a home's private address made coturn send to
    // an address it has no route to, and it closed every allocation at once ("reason: general").
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    'allowed-peer-ip=198.19.0.0-198.19.255.255',
    `userdb=${dir}/turndb`,
    `pidfile=${dir}/turnserver.pid`,
    `log-file=${dir}/turnserver.log`,
    'simple-log',
    'verbose'
  ].join('\n') + '\n'
}

/** The command that starts coturn inside the lab's "internet" (config written by {@link coturnConfig}). */
export function coturnCommand (/** @type {string} */ configFile) {
  return ['ip', 'netns', 'exec', INET, 'turnserver', '-c', configFile]
}

/** @param {Step} step */
function shellLine (step) {
  const quote = (/** @type {string} */ arg) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
  const line = step.argv.map(quote).join(' ')
  return step.input === undefined ? line : `${line} <<'EOF'\n${step.input}EOF`
}

/** The set-up as a shell script (what `print` writes). */
export function setupScript () {
  const dir = '/tmp/pmlab-turn'
  const config = `${dir}/turnserver.conf`
  return [
    '#!/bin/sh',
    '# peermesh NAT lab: generated by `node e2e/nat/lab.js print`; run as root.',
    'set -e',
    ...setupSteps().map(shellLine),
    '# coturn in the "internet" (the tests write this into a fresh temporary directory with a random secret):',
    `mkdir -p ${dir}`,
    `cat > ${config} <<'EOF'\n${coturnConfig({ dir, secret: 'change-me' })}EOF`,
    `${coturnCommand(config).join(' ')} &`
  ].join('\n') + '\n'
}

/** @param {string} line */
const say = (line) => { process.stdout.write(`${line}\n`) }
const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
if (invokedDirectly) {
  const command = process.argv[2]
  if (command === 'up') {
    setup()
    say(`NAT lab up: ${labNamespaces().join(' ')}`)
  } else if (command === 'down') {
    const deleted = teardown()
    say(deleted.length === 0 ? 'NAT lab: nothing to tear down' : `NAT lab down: deleted ${deleted.join(' ')}`)
  } else if (command === 'print') {
    process.stdout.write(setupScript())
  } else if (command === 'check') {
    const reason = cannotRunReason()
    if (reason !== undefined) {
      say(`peermesh NAT lab: skipped: ${reason}`)
      process.exit(3)
    }
  } else {
    process.stderr.write('usage: node e2e/nat/lab.js up|down|print|check\n')
    process.exit(2)
  }
}
