#!/usr/bin/env node
// Runs a command where a headed (desktop) browser can open a window: as is when a display exists
// (DISPLAY or WAYLAND_DISPLAY on Linux; always on macOS and Windows); else inside `xvfb-run`, a
// virtual X server, installing Debian's xvfb first when run as root with apt and it is missing;
// otherwise exits 1 with one line saying what to do.
//
//   node scripts/with-display.js <command> [args…]
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const [command, ...args] = process.argv.slice(2)
if (command === undefined) {
  console.error('usage: node scripts/with-display.js <command> [args…]')
  process.exit(2)
}

const needsX = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
const xvfbRun = ['/usr/bin/xvfb-run', '/usr/local/bin/xvfb-run'].find((path) => existsSync(path))

function run (file, argv) {
  const result = spawnSync(file, argv, { stdio: 'inherit' })
  if (result.error !== undefined) {
    console.error(`peermesh: could not run ${file}: ${result.error.message}`)
    process.exit(1)
  }
  process.exit(result.status ?? 1)
}

if (!needsX) run(command, args)

let xvfb = xvfbRun
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
if (xvfb === undefined && isRoot && existsSync('/usr/bin/apt-get')) {
  console.error('peermesh: no display and no xvfb-run; installing Debian\'s xvfb package (apt-get)…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'xvfb'], { stdio: 'inherit', env })
  } catch {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    execFileSync('apt-get', ['install', '-y', '-qq', 'xvfb'], { stdio: 'inherit', env })
  }
  xvfb = '/usr/bin/xvfb-run'
}
if (xvfb === undefined || !existsSync(xvfb)) {
  console.error('peermesh: a headed browser needs a display: run this from a desktop session, or install Xvfb (Debian/Ubuntu: `sudo apt-get install xvfb`) so it can run under xvfb-run.')
  process.exit(1)
}
run(xvfb, ['--auto-servernum', '--server-args=-screen 0 1920x1080x24', command, ...args])
