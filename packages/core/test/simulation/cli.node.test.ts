import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/simulation/run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'peermesh-sim-test-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

async function cli (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: t => { stdout += t }, stderr: t => { stderr += t } })
  return { code, stdout, stderr }
}

describe('peermesh-sim CLI', () => {
  it('prints the same table and writes the same chart for the same seed, byte for byte', async () => {
    const args = (out: string): string[] => ['--scenario', 'churn', '--nodes', '50', '--seed', '3', '--bootstrap', 'relay', '--churn-minutes', '2', '--churn-percent', '4', '--steady-s', '10', '--out', out]
    const a = await cli(args(join(dir, 'a.svg')))
    const b = await cli(args(join(dir, 'b.svg')))
    expect(a.code).toBe(0)
    expect(a.stdout).toContain('churn (50 nodes, seed 3, bootstrap: relay)')
    expect(b.stdout).toBe(a.stdout)
    const svgA = readFileSync(join(dir, 'a.svg'))
    expect(svgA.toString('utf8')).toMatch(/^<svg /)
    expect(readFileSync(join(dir, 'b.svg')).equals(svgA)).toBe(true)
  }, 120_000)

  it('refuses an unknown scenario with a clear error and the usage', async () => {
    const result = await cli(['--scenario', 'nope', '--nodes', '10'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown scenario "nope"')
    expect(result.stderr).toContain('usage: peermesh-sim')
  })

  it('refuses a non-numeric option', async () => {
    const result = await cli(['--nodes', 'many'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--nodes needs a number')
  })
})
