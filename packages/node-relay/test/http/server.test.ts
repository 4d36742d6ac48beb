import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRelayHttpServer, type HealthStatus, type RelayHttpApi, type RelayHttpServer } from '../../src/http/server.js'
import type { Logger } from '../../src/logger.js'
import type { DemoSource } from '../../src/options.js'
import { rawRequest } from '../support/http-request.js'

const quietLogger: Logger = { debug () {}, info () {}, warn () {}, error () {} }

/** A fixed API: these tests are about routing, headers and files; the real node is covered by test/process. */
function fixedApi (health: Partial<HealthStatus> = {}): RelayHttpApi {
  return {
    health: () => ({ status: 'ok', peerId: 'self', role: 'relay', version: '0.0.0', uptimeSeconds: 1, connections: 0, ...health }),
    peers: () => ({ peerId: 'self', peers: [{ peerId: 'other', state: 'connected' }] }),
    topology: () => ({ self: 'self', nodes: [], edges: [] }),
    bootstrap: () => ({ peerId: 'self', addresses: ['ws://self@127.0.0.1:4001'], iceServers: [{ urls: 'stun:198.19.0.10:3478' }] }),
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '# HELP up x\n# TYPE up gauge\nup 1\n' })
  }
}

describe('createRelayHttpServer', () => {
  let base: string
  let server: RelayHttpServer | undefined

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'peermesh-http-'))
    await mkdir(join(base, 'site', 'assets'), { recursive: true })
    await writeFile(join(base, 'site', 'index.html'), '<!doctype html><title>demo</title>')
    await writeFile(join(base, 'site', 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(base, 'secret.txt'), 'outside the site')
  })

  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  afterAll(async () => {
    await rm(base, { recursive: true, force: true })
  })

  async function start (demo: DemoSource = { kind: 'off' }, api = fixedApi()): Promise<string> {
    server = createRelayHttpServer({ api, demo, cwd: base, logger: quietLogger })
    return await server.listen({ host: '127.0.0.1', port: 0 })
  }

  it('listens on a free port when asked for port 0', async () => {
    const url = await start()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/)
  })

  it('answers /healthz with 200 and the status while the node is up', async () => {
    const res = await rawRequest(await start(), '/healthz')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', peerId: 'self' })
  })

  it('answers /healthz with 503 while stopping', async () => {
    const res = await rawRequest(await start({ kind: 'off' }, fixedApi({ status: 'stopping' })), '/healthz')
    expect(res.status).toBe(503)
    expect(JSON.parse(res.body)).toMatchObject({ status: 'stopping' })
  })

  it('serves /metrics with the registry content type', async () => {
    const res = await rawRequest(await start(), '/metrics')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(res.body).toContain('up 1')
  })

  it('serves the JSON API with a CORS header, ignoring query strings', async () => {
    const url = await start()
    for (const [path, expected] of [
      ['/api/peers', { peerId: 'self' }],
      ['/api/topology?x=1', { self: 'self' }],
      ['/api/bootstrap', { addresses: ['ws://self@127.0.0.1:4001'] }]
    ] as const) {
      const res = await rawRequest(url, path)
      expect(res.status, path).toBe(200)
      expect(res.headers['access-control-allow-origin'], path).toBe('*')
      expect(JSON.parse(res.body), path).toMatchObject(expected)
    }
  })

  it('answers unknown paths with a JSON 404', async () => {
    const url = await start()
    for (const path of ['/nope', '/api/nope', '/healthz/extra']) {
      const res = await rawRequest(url, path)
      expect(res.status, path).toBe(404)
      expect(JSON.parse(res.body), path).toMatchObject({ error: 'not found' })
    }
    expect((await rawRequest(url, '/api/nope')).headers['access-control-allow-origin']).toBe('*')
  })

  it('refuses methods other than GET and HEAD with 405 and an Allow header', async () => {
    const url = await start()
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await rawRequest(url, '/api/peers', method)
      expect(res.status, method).toBe(405)
      expect(res.headers.allow, method).toBe('GET, HEAD')
    }
  })

  it('answers HEAD like GET without a body', async () => {
    const res = await rawRequest(await start(), '/healthz', 'HEAD')
    expect(res.status).toBe(200)
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0)
    expect(res.body).toBe('')
  })

  it('refuses request targets longer than the limit with 414', async () => {
    const res = await rawRequest(await start(), `/${'a'.repeat(3000)}`)
    expect(res.status).toBe(414)
  })

  it('does not serve files at / unless --serve-demo is given', async () => {
    const res = await rawRequest(await start(), '/')
    expect(res.status).toBe(404)
  })

  it('serves the demo directory with the right content types', async () => {
    const url = await start({ kind: 'dir', path: 'site' })
    const index = await rawRequest(url, '/')
    expect(index.status).toBe(200)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.body).toContain('<title>demo</title>')
    const script = await rawRequest(url, '/assets/app.js')
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.headers['x-content-type-options']).toBe('nosniff')
    expect(script.body).toBe('console.log(1)')
  })

  it('never serves a file outside the demo directory', async () => {
    const url = await start({ kind: 'dir', path: 'site' })
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/../../secret.txt']) {
      const res = await rawRequest(url, path)
      expect(res.status, path).not.toBe(200)
      expect(res.body, path).not.toContain('outside the site')
    }
  })

  it('explains how to build the demo while it is missing, and serves it once built, without a restart', async () => {
    const url = await start({ kind: 'dir', path: 'later' })
    const missing = await rawRequest(url, '/')
    expect(missing.status).toBe(503)
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(missing.body).toContain('not built')
    expect(missing.body).toContain(join(base, 'later', 'index.html'))

    await mkdir(join(base, 'later'))
    await writeFile(join(base, 'later', 'index.html'), 'built now')
    const built = await rawRequest(url, '/')
    expect(built.status).toBe(200)
    expect(built.body).toBe('built now')
  })

  it('points at the npm build command when the web-demo package is not built', async () => {
    const res = await rawRequest(await start({ kind: 'web-demo' }), '/')
    if (res.status === 503) {
      expect(res.body).toContain('npm run build -w @peermesh/web-demo')
    } else {
      // the web demo is built in this checkout: then it is served
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    }
  })

  it('turns a failing API call into a JSON 500 and keeps serving', async () => {
    const api = fixedApi()
    api.metrics = async () => { throw new Error('registry broke') }
    const url = await start({ kind: 'off' }, api)
    const res = await rawRequest(url, '/metrics')
    expect(res.status).toBe(500)
    expect(JSON.parse(res.body)).toEqual({ error: 'internal error' })
    expect((await rawRequest(url, '/healthz')).status).toBe(200)
  })

  it('closes with keep-alive connections open', async () => {
    const url = await start()
    await fetch(`${url}/healthz`)
    await server?.close()
    server = undefined
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })
})
