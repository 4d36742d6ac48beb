#!/usr/bin/env node
/**
 * `peermesh-sim` (`npm run sim -- …` from the repository root): runs one scenario, prints its
 * table on stdout and writes its chart (SVG). See run-cli.ts.
 */
import { runCli } from './run-cli.js'

runCli(process.argv.slice(2), { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) }).then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
