/**
 * Finds the directory `GET /` serves: a directory from `--serve-demo=<dir>`, or the `dist/` of the
 * `@peermesh/web-demo` package when it is installed beside this one (the monorepo workspace).
 */
import { createRequire } from 'node:module'
import { realpath, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { DemoSource } from '../options.js'

/** What `GET /` does. */
export type DemoSite =
  | { kind: 'off' }
  /** Serve files from `root` (a real path). */
  | { kind: 'ready', root: string }
  /** The demo was asked for but is not built; `/` explains how to build it. */
  | { kind: 'missing', expected: string, howToBuild: string }

const WEB_DEMO_PACKAGE = '@peermesh/web-demo'
const BUILD_WEB_DEMO = 'npm run build -w @peermesh/web-demo   (or: npx turbo run build --filter=@peermesh/web-demo)'

/**
 * Resolves a {@link DemoSource} against the file system. A relative `dir` is taken from `cwd`.
 */
export async function locateDemoSite (source: DemoSource, cwd: string): Promise<DemoSite> {
  if (source.kind === 'off') return { kind: 'off' }
  if (source.kind === 'dir') {
    const dir = resolve(cwd, source.path)
    return await siteAt(dir, `build your site into ${dir}, or pass --serve-demo without a directory to serve ${WEB_DEMO_PACKAGE}`)
  }
  const packageDir = webDemoPackageDir()
  if (packageDir == null) {
    return {
      kind: 'missing',
      expected: `${WEB_DEMO_PACKAGE}/dist`,
      howToBuild: `${WEB_DEMO_PACKAGE} is not installed next to this relay; run from the peermesh repository after: npm install && ${BUILD_WEB_DEMO}`
    }
  }
  return await siteAt(join(packageDir, 'dist'), BUILD_WEB_DEMO)
}

function webDemoPackageDir (): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${WEB_DEMO_PACKAGE}/package.json`))
  } catch {
    return null
  }
}

async function siteAt (dir: string, howToBuild: string): Promise<DemoSite> {
  try {
    const root = await realpath(dir)
    if ((await stat(join(root, 'index.html'))).isFile()) return { kind: 'ready', root }
  } catch {
    // not there (yet): reported below
  }
  return { kind: 'missing', expected: join(dir, 'index.html'), howToBuild }
}
