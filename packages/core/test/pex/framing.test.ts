import { describe, expect, it } from 'vitest'
import { decodePexMessage, encodePexFrame, peekPexFrameLength, pexAddressFieldBytes, pexResponseFrameBytes, splitPexFrames } from '../../src/pex/framing.js'
import { PexMessage, PexRequest } from '../../src/pex/pex.pb.js'

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

describe('PEX framing', () => {
  it('round-trips a request and a response through length-prefixed frames', () => {
    const bytes = concat(encodePexFrame({ request: { limit: 7 } }), encodePexFrame({ response: { addresses: ['a', 'b'] } }))
    const split = splitPexFrames(bytes, 1024)
    expect(split.ok).toBe(true)
    if (!split.ok) return
    expect(split.frames.map(frame => decodePexMessage(frame, 100))).toEqual([
      { kind: 'request', limit: 7 },
      { kind: 'response', addresses: ['a', 'b'] }
    ])
  })

  it('finds no frames in no bytes', () => {
    expect(splitPexFrames(new Uint8Array(0), 10)).toEqual({ ok: true, frames: [] })
  })

  it('reports bytes that end inside a frame as truncated', () => {
    const frame = encodePexFrame({ response: { addresses: ['abc'] } })
    expect(splitPexFrames(frame.subarray(0, frame.length - 1), 1024)).toEqual({ ok: false, problem: 'truncated' })
    expect(splitPexFrames(Uint8Array.of(0x80), 1024)).toEqual({ ok: false, problem: 'truncated' })
  })

  it('refuses a frame declaring more than the cap, and a length prefix longer than 5 bytes', () => {
    expect(splitPexFrames(Uint8Array.of(0x81, 0x01), 128)).toEqual({ ok: false, problem: 'oversized' })
    expect(splitPexFrames(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 1024)).toEqual({ ok: false, problem: 'oversized' })
    expect(peekPexFrameLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe(Infinity)
    expect(peekPexFrameLength(Uint8Array.of(0x81))).toBeUndefined()
    expect(peekPexFrameLength(Uint8Array.of(0x81, 0x01))).toBe(129)
  })

  it('decodes garbage, an empty message and a future message kind as invalid', () => {
    expect(decodePexMessage(Uint8Array.of(0xff, 0xff, 0xff), 100)).toEqual({ kind: 'invalid' })
    expect(decodePexMessage(new Uint8Array(0), 100)).toEqual({ kind: 'invalid' })
    // field 3 (length-delimited), which this version does not know
    expect(decodePexMessage(Uint8Array.of(0x1a, 0x01, 0x00), 100)).toEqual({ kind: 'invalid' })
  })

  it('ignores unknown fields inside known messages (forward compatibility)', () => {
    // PexRequest { limit: 5, field 9: varint 1 }
    const request = concat(PexRequest.encode({ limit: 5 }), Uint8Array.of(0x48, 0x01))
    const message = concat(Uint8Array.of(0x0a, request.length), request)
    expect(decodePexMessage(message, 100)).toEqual({ kind: 'request', limit: 5 })
  })

  it('stops decoding a response as soon as it exceeds the address limit', () => {
    const frame = PexMessage.encode({ response: { addresses: ['a', 'b', 'c'] } })
    expect(decodePexMessage(frame, 2)).toEqual({ kind: 'too-many-addresses' })
    expect(decodePexMessage(frame, 3)).toEqual({ kind: 'response', addresses: ['a', 'b', 'c'] })
  })

  it('predicts the exact size of a response frame', () => {
    for (const addresses of [[], ['x'], ['a'.repeat(200), 'b'.repeat(1000)], Array.from({ length: 100 }, (_, i) => `address-${i}`)]) {
      const body = addresses.reduce((n, a) => n + pexAddressFieldBytes(new TextEncoder().encode(a).length), 0)
      expect(pexResponseFrameBytes(body)).toBe(PexMessage.encode({ response: { addresses } }).length)
    }
  })
})
