// The data-path probes of scripts/bench-stream.mjs, shared by Node and by the tabs: the functions
// below use no imports, so `PROBE_SOURCE` (their text) runs unchanged inside a page.
//
// A "pipe" is { send(bytes): Promise<void> (waits on back-pressure), counter } where `counter`
// counts bytes the far side sent back. The far side of a sink pipe answers one byte after
// `total` bytes; the far side of an echo pipe sends every byte back.

export function byteCounter () {
  let received = 0
  let waiters = []
  return {
    get received () { return received },
    add (n) {
      received += n
      waiters = waiters.filter((w) => {
        if (received >= w.target) { w.resolve(); return false }
        return true
      })
    },
    until (target) {
      if (received >= target) return Promise.resolve()
      return new Promise((resolve) => { waiters.push({ target, resolve }) })
    }
  }
}

/** MB/s (10^6 bytes per second) for `total` bytes in `chunk`-byte writes until the far side's 1-byte answer. */
export async function measureThroughput (pipe, total, chunk) {
  const block = new Uint8Array(chunk)
  for (let i = 0; i < block.length; i++) block[i] = i & 0xff
  const start = performance.now()
  for (let sent = 0; sent < total; sent += chunk) {
    await pipe.send(block.subarray(0, Math.min(chunk, total - sent)))
  }
  await pipe.counter.until(1)
  const ms = performance.now() - start
  return { ms, mbPerS: total / 1e6 / (ms / 1000) }
}

/** Round-trip times (ms) of `count` echoes of `size` bytes, one at a time, after `warmup` unmeasured ones. */
export async function measureRoundTrips (pipe, count, size, warmup = 10) {
  const message = new Uint8Array(size).fill(7)
  const times = []
  for (let i = 0; i < warmup + count; i++) {
    const target = pipe.counter.received + size
    const start = performance.now()
    await pipe.send(message)
    await pipe.counter.until(target)
    if (i >= warmup) times.push(performance.now() - start)
  }
  return times
}

/**
 * A pipe over an open RTCDataChannel (browser or node-datachannel's polyfill): waits while more
 * than `highWater` bytes are buffered, until the buffer falls to `lowThreshold`.
 */
export function dataChannelPipe (channel, highWater = 1024 * 1024, lowThreshold = highWater / 2) {
  channel.binaryType = 'arraybuffer'
  const counter = byteCounter()
  channel.addEventListener('message', (event) => { counter.add(event.data.byteLength ?? event.data.length) })
  channel.bufferedAmountLowThreshold = lowThreshold
  return {
    counter,
    async send (bytes) {
      if (channel.bufferedAmount > highWater) {
        await new Promise((resolve) => { channel.addEventListener('bufferedamountlow', resolve, { once: true }) })
      }
      channel.send(bytes)
    }
  }
}

/** The far side of a raw data channel: 'sink:<total>' answers one byte after total bytes, 'echo' echoes. */
export function answerDataChannel (channel) {
  channel.binaryType = 'arraybuffer'
  if (channel.label === 'echo') {
    channel.addEventListener('message', (event) => { channel.send(new Uint8Array(event.data)) })
    return
  }
  const total = Number(channel.label.split(':')[1])
  let received = 0
  channel.addEventListener('message', (event) => {
    received += event.data.byteLength
    if (received >= total && received - event.data.byteLength < total) channel.send(new Uint8Array(1))
  })
}

/** A pipe over a libp2p 3 stream (message stream: `send` returns false when full). */
export function libp2pPipe (stream) {
  const counter = byteCounter()
  void (async () => { for await (const chunk of stream) counter.add(chunk.byteLength) })().catch(() => {})
  return {
    counter,
    async send (bytes) {
      if (!stream.send(bytes)) await stream.onDrain()
    }
  }
}

/** Registers the far sides of the libp2p probes on `node`: SINK_PROTOCOL/<total> and ECHO_PROTOCOL. */
export async function handleLibp2pProbes (node, total) {
  const options = { runOnLimitedConnection: false, maxInboundStreams: 16 }
  await node.handle('/peermesh-bench/echo/1.0.0', (stream) => {
    void (async () => { for await (const chunk of stream) { if (!stream.send(chunk.subarray())) await stream.onDrain() } })().catch(() => {})
  }, options)
  await node.handle('/peermesh-bench/sink/1.0.0', (stream) => {
    void (async () => {
      let received = 0
      for await (const chunk of stream) {
        received += chunk.byteLength
        if (received >= total && received - chunk.byteLength < total) stream.send(new Uint8Array(1))
      }
    })().catch(() => {})
  }, options)
}

export const SINK_PROTOCOL = '/peermesh-bench/sink/1.0.0'
export const ECHO_PROTOCOL = '/peermesh-bench/echo/1.0.0'

/** The text of the functions above, to define them inside a page with `new Function` / eval. */
export const PROBE_SOURCE = [byteCounter, measureThroughput, measureRoundTrips, dataChannelPipe, answerDataChannel, libp2pPipe, handleLibp2pProbes]
  .map((fn) => fn.toString()).join('\n')
