import { defineConfig } from 'vite'

/**
 * `base: './'` keeps every asset URL relative, so the built page works wherever it is served
 * (the relay serves it at `/`). In dev mode (`npm run dev`), set PEERMESH_RELAY_HTTP to a running
 * relay's HTTP origin (e.g. http://127.0.0.1:8080) and `/api/*` is proxied to it, so the page
 * discovers that relay exactly as when the relay serves it; or open the page with `?relay=`.
 */
const relayHttp = process.env.PEERMESH_RELAY_HTTP

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    // A whole libp2p node (WebRTC, WebSockets, circuit relay, noise, yamux, gossipsub) plus
    // force-graph/d3 is about 900 kB (270 kB gzipped); one chunk loads fastest from one relay.
    chunkSizeWarningLimit: 1200
  },
  server: {
    host: '127.0.0.1',
    ...(relayHttp === undefined || relayHttp === '' ? {} : { proxy: { '/api': { target: relayHttp, changeOrigin: true } } })
  },
  preview: {
    host: '127.0.0.1'
  }
})
