#!/usr/bin/env node
// A plain static web server for the NAT lab's "page served elsewhere" (not by the relay, so no
// /api/bootstrap: the page learns its relay and ICE servers from ?relay= and ?ice=).
//   node e2e/nat/page-server.mjs <host> <dir>   → prints {"url":"http://<host>:<port>/"} once listening
import { createReadStream, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import process from 'node:process'
import { URL } from 'node:url'

const [host = '127.0.0.1', root = '.'] = process.argv.slice(2)
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' }

const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname))
  const file = join(root, path.endsWith('/') ? `${path}index.html` : path)
  let found = false
  try { found = file.startsWith(normalize(root) + sep) && statSync(file).isFile() } catch { found = false }
  if (!found) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(response)
})
server.listen(0, host, () => {
  const address = server.address()
  process.stdout.write(`${JSON.stringify({ url: `http://${host}:${typeof address === 'object' && address !== null ? address.port : 0}/` })}\n`)
})
process.once('SIGTERM', () => { server.close(); process.exit(0) })
