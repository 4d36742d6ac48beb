import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OPTION_TABLE } from '../../src/options.js'
import { runToExit } from '../support/relay-process.js'

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

describe('peermesh-relay command line', () => {
  it('prints help listing every flag, and exits 0', async () => {
    const run = await runToExit(['--help'])
    expect(run.code).toBe(0)
    for (const spec of OPTION_TABLE) expect(run.stdout).toContain(`--${spec.flag}`)
    expect(run.stdout).toContain('default: /ip4/127.0.0.1/tcp/4001/ws')
    expect(run.stderr).toBe('')
  })

  it('prints the package version, and exits 0', async () => {
    const run = await runToExit(['--version'])
    expect(run).toMatchObject({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' })
  })

  const refused: Array<[string, string[], Record<string, string>, string]> = [
    ['an unknown flag', ['--no-such-flag'], {}, "Unknown option '--no-such-flag'"],
    ['a flag without its value', ['--data-dir'], {}, '--data-dir'],
    ['a bad role', ['--role', 'boss'], {}, '--role: expected one of relay, peer, got "boss"'],
    ['a bootstrap address without a peer ID', ['--bootstrap', 'ws://127.0.0.1:4001'], {}, '--bootstrap: invalid node address "ws://127.0.0.1:4001"'],
    ['a malformed listen address', ['--listen', 'tcp://0.0.0.0:1'], {}, '--listen: invalid multiaddr'],
    ['a bad value in the environment', [], { PEERMESH_MAX_CONNECTIONS: '-1' }, 'PEERMESH_MAX_CONNECTIONS: expected an integer']
  ]
  for (const [what, args, env, reason] of refused) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const run = await runToExit(args, env)
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr.endsWith('\n')).toBe(true)
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(run.stderr).toContain(reason)
    })
  }
})
