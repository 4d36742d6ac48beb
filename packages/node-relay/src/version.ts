import { readFileSync } from 'node:fs'

/** This package's version, read from its package.json (one directory above `dist/` and `src/`). */
export function readPackageVersion (): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const version = typeof manifest === 'object' && manifest != null ? (manifest as { version?: unknown }).version : undefined
  return typeof version === 'string' ? version : '0.0.0-unknown'
}
