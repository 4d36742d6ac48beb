#!/usr/bin/env node
// The Node 20 shim (Promise.withResolvers, global WebSocket) must be evaluated before libp2p loads.
import '@peermesh/core/shims/node'
import { runCli } from './cli.js'

await runCli(process)
// libp2p may leave timers behind after a clean stop; the exit code is already decided.
process.exit()
