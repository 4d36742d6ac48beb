/**
 * PEX frames: each PexMessage travels as an unsigned-varint length prefix followed by that many
 * bytes of protobuf. These functions never throw on peer input: they return what they found.
 */
import { MaxLengthError, writer } from 'protons-runtime'
import { PexMessage } from './pex.pb.js'

/** A varint length prefix of a frame is at most this long (2^35 > any frame we accept). */
const MAX_PREFIX_BYTES = 5

/** Encodes one message as a length-prefixed frame. */
export function encodePexFrame (message: PexMessage): Uint8Array {
  return writer().bytes(PexMessage.encode(message)).finish()
}

/** What {@link splitPexFrames} found in a stream's bytes. */
export type SplitFramesResult =
  | { ok: true, frames: Uint8Array[] }
  /** `truncated`: the bytes end inside a frame; `oversized`: a frame declares more than the cap. */
  | { ok: false, problem: 'truncated' | 'oversized' }

/**
 * Splits `bytes` (everything the peer wrote before closing) into frame payloads, refusing any frame
 * whose declared length exceeds `maxFrameBytes`.
 */
export function splitPexFrames (bytes: Uint8Array, maxFrameBytes: number): SplitFramesResult {
  const frames: Uint8Array[] = []
  let offset = 0
  while (offset < bytes.length) {
    const prefix = readVarint(bytes, offset)
    if (prefix === 'truncated') return { ok: false, problem: 'truncated' }
    if (prefix === 'too-long' || prefix.value > maxFrameBytes) return { ok: false, problem: 'oversized' }
    const start = offset + prefix.length
    const end = start + prefix.value
    if (end > bytes.length) return { ok: false, problem: 'truncated' }
    frames.push(bytes.subarray(start, end))
    offset = end
  }
  return { ok: true, frames }
}

/** The length of the first frame in `bytes` if its prefix is complete (for early size checks). */
export function peekPexFrameLength (bytes: Uint8Array): number | undefined {
  const prefix = readVarint(bytes, 0)
  if (prefix === 'truncated') return undefined
  return prefix === 'too-long' ? Infinity : prefix.value
}

/** What {@link decodePexMessage} found in one frame. */
export type DecodedPexMessage =
  | { kind: 'request', limit: number | undefined }
  | { kind: 'response', addresses: string[] }
  /** Not decodable, or a message of a kind this version does not know. */
  | { kind: 'invalid' }
  /** A response with more than `maxAddresses` addresses (decoding stopped there). */
  | { kind: 'too-many-addresses' }

/** Decodes one frame payload, stopping as soon as a response exceeds `maxAddresses`. */
export function decodePexMessage (frame: Uint8Array, maxAddresses: number): DecodedPexMessage {
  let message: PexMessage
  try {
    message = PexMessage.decode(frame, { limits: { response: { addresses: maxAddresses } } })
  } catch (err) {
    if (err instanceof MaxLengthError) return { kind: 'too-many-addresses' }
    return { kind: 'invalid' }
  }
  if (message.request !== undefined) return { kind: 'request', limit: message.request.limit }
  if (message.response !== undefined) return { kind: 'response', addresses: message.response.addresses }
  return { kind: 'invalid' }
}

/** Bytes one address of `urlBytes` UTF-8 bytes takes inside a response (tag + length + text). */
export function pexAddressFieldBytes (urlBytes: number): number {
  return 1 + varintLength(urlBytes) + urlBytes
}

/**
 * Bytes of a whole response frame payload (the PexMessage, after the frame's length prefix) whose
 * addresses take `bodyBytes` in total (a sum of {@link pexAddressFieldBytes}).
 */
export function pexResponseFrameBytes (bodyBytes: number): number {
  return 1 + varintLength(bodyBytes) + bodyBytes
}

export function varintLength (value: number): number {
  let length = 1
  while (value >= 0x80) {
    value = Math.floor(value / 0x80)
    length++
  }
  return length
}

function readVarint (bytes: Uint8Array, offset: number): { value: number, length: number } | 'truncated' | 'too-long' {
  let value = 0
  for (let i = 0; i < MAX_PREFIX_BYTES; i++) {
    const byte = bytes[offset + i]
    if (byte === undefined) return 'truncated'
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return { value, length: i + 1 }
  }
  return 'too-long'
}
