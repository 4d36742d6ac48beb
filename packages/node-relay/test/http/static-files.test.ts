import { mkdtemp, mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentTypeFor, findStaticFile, safeSegments } from '../../src/http/static-files.js'

describe('safeSegments', () => {
  const valid: Array<[string, string[]]> = [
    ['/', []],
    ['/index.html', ['index.html']],
    ['/assets/app.js', ['assets', 'app.js']],
    ['/assets/', ['assets']],
    ['/with%20space.txt', ['with space.txt']]
  ]
  for (const [path, segments] of valid) {
    it(`maps ${path} to ${JSON.stringify(segments)}`, () => {
      expect(safeSegments(path)).toEqual(segments)
    })
  }

  const refused = [
    '/../secret', '/assets/../../secret', '/%2e%2e/secret', '/%2E%2E%2Fsecret', '/..%2fsecret',
    '/assets%2f..%2f..%2fsecret', '/..%5csecret', '/a\\..\\b', '/%00', '/a%00.html', '/.env', '/.git/config',
    '//etc/passwd', '/%zz', 'relative'
  ]
  for (const path of refused) {
    it(`refuses ${path}`, () => {
      expect(safeSegments(path)).toBeNull()
    })
  }
})

describe('findStaticFile', () => {
  let base: string
  let root: string

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'peermesh-static-')))
    root = join(base, 'site')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html>')
    await writeFile(join(root, 'assets', 'app.js'), 'export {}')
    await mkdir(join(root, 'docs'))
    await writeFile(join(root, 'docs', 'index.html'), 'docs')
    await mkdir(join(root, 'empty'))
    await writeFile(join(base, 'secret.txt'), 'outside the root')
    await symlink(join(base, 'secret.txt'), join(root, 'link-out.txt'))
    await symlink(join(root, 'assets', 'app.js'), join(root, 'link-in.js'))
  })

  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it('serves index.html for the root and for directories', async () => {
    expect((await findStaticFile(root, '/'))?.path).toBe(join(root, 'index.html'))
    expect((await findStaticFile(root, '/docs/'))?.path).toBe(join(root, 'docs', 'index.html'))
    expect((await findStaticFile(root, '/docs'))?.path).toBe(join(root, 'docs', 'index.html'))
  })

  it('finds files with their size and content type', async () => {
    expect(await findStaticFile(root, '/assets/app.js')).toEqual({
      path: join(root, 'assets', 'app.js'), size: 9, contentType: 'text/javascript; charset=utf-8'
    })
  })

  it('finds nothing for missing files and directories without an index', async () => {
    expect(await findStaticFile(root, '/missing.js')).toBeNull()
    expect(await findStaticFile(root, '/empty/')).toBeNull()
  })

  it('never follows a symlink out of the root, but follows one inside it', async () => {
    expect(await findStaticFile(root, '/link-out.txt')).toBeNull()
    expect((await findStaticFile(root, '/link-in.js'))?.path).toBe(join(root, 'assets', 'app.js'))
  })

  it('never serves a file above the root, however the path is spelled', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/../../secret.txt']) {
      expect(await findStaticFile(root, path)).toBeNull()
    }
  })
})

describe('contentTypeFor', () => {
  it('knows the types a Vite build produces and falls back to octet-stream', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeFor('a.CSS')).toBe('text/css; charset=utf-8')
    expect(contentTypeFor('x.wasm')).toBe('application/wasm')
    expect(contentTypeFor('logo.svg')).toBe('image/svg+xml')
    expect(contentTypeFor('data.bin')).toBe('application/octet-stream')
  })
})
