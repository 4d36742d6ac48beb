/**
 * Global setup of the `process` tests: compile this package (`tsc -p tsconfig.build.json`) so that
 * `dist/bin.js` matches the sources. `@peermesh/core` must already be built (`turbo run test`
 * builds it first; by hand: `npm run build -w @peermesh/core`).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export default function setup (): void {
  const packageDir = fileURLToPath(new URL('../..', import.meta.url))
  const coreEntry = fileURLToPath(new URL('../../../core/dist/index.js', import.meta.url))
  if (!existsSync(coreEntry)) {
    throw new Error(`@peermesh/core is not built (${coreEntry} is missing): run npm run build -w @peermesh/core first`)
  }
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: packageDir,
    stdio: 'inherit'
  })
}
