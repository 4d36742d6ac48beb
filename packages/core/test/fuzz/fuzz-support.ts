/**
 * Shared set-up of the fuzz tests (test/fuzz/*.fuzz.node.test.ts).
 *
 * The normal test run does {@link DEFAULT_FUZZ_RUNS} generated inputs per property; the dedicated
 * command (`npm run fuzz -w @peermesh/core`) sets `PEERMESH_FUZZ_RUNS=100000`. A failure prints
 * fast-check's seed and path; `PEERMESH_FUZZ_SEED=<seed>` replays it.
 *
 * Memory: {@link heapAfterGc} forces a full collection (V8's `gc`, exposed at run time), so a
 * heap figure before and after a run compares what is still reachable, not garbage.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'

export const DEFAULT_FUZZ_RUNS = 1000

/** Generated inputs per property in this run. */
export const FUZZ_RUNS = Number(process.env.PEERMESH_FUZZ_RUNS ?? DEFAULT_FUZZ_RUNS)

/** Parameters for `fc.assert`. */
export function fuzzParameters (): fc.Parameters<unknown> {
  const seed = process.env.PEERMESH_FUZZ_SEED
  return { numRuns: FUZZ_RUNS, ...(seed != null && seed !== '' ? { seed: Number(seed) } : {}) }
}

/** A vitest timeout that grows with the number of runs: `msPerThousand` per 1,000 inputs. */
export function fuzzTimeout (msPerThousand: number): number {
  return Math.max(30_000, Math.ceil(FUZZ_RUNS / 1000) * msPerThousand)
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** `heapUsed` after a full garbage collection, bytes. */
export function heapAfterGc (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** A heap that grows by more than this over a stateless run is a leak. */
export const MAX_HEAP_GROWTH_BYTES = 16 * 1024 * 1024

/** One edit of a byte string. */
type ByteEdit =
  | { op: 'flip', at: number, bit: number }
  | { op: 'set', at: number, value: number }
  | { op: 'insert', at: number, bytes: Uint8Array }
  | { op: 'delete', at: number, count: number }
  | { op: 'truncate', at: number }

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x1a, 0x22) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() })
)

function applyByteEdit (bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const at = bytes.length === 0 ? 0 : edit.at % (bytes.length + (edit.op === 'insert' ? 1 : 0))
  switch (edit.op) {
    case 'flip': { if (bytes.length === 0) return bytes; const out = bytes.slice(); out[at] = (out[at] ?? 0) ^ (1 << edit.bit); return out }
    case 'set': { if (bytes.length === 0) return bytes; const out = bytes.slice(); out[at] = edit.value; return out }
    case 'insert': return new Uint8Array([...bytes.subarray(0, at), ...edit.bytes, ...bytes.subarray(at)])
    case 'delete': return new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + edit.count)])
    case 'truncate': return bytes.subarray(0, at)
  }
}

/** Valid inputs from `valid`, then 1 to 6 random edits (bit flips, inserts, deletions, cuts). */
export function mutatedBytes (valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(byteEdit, { minLength: 1, maxLength: 6 }))
    .map(([bytes, edits]) => edits.reduce(applyByteEdit, bytes))
}

/** One edit of a text. */
type TextEdit =
  | { op: 'insert', at: number, text: string }
  | { op: 'delete', at: number, count: number }
  | { op: 'repeat', at: number, count: number }

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('@', ':', '/', '[', ']', '?', '#', '%', '%00', '\u0000', '\uD800', '.', '..', '=', '&', ' ', '\n', '💥')) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) })
)

function applyTextEdit (text: string, edit: TextEdit): string {
  const at = edit.at % (text.length + 1)
  switch (edit.op) {
    case 'insert': return text.slice(0, at) + edit.text + text.slice(at)
    case 'delete': return text.slice(0, at) + text.slice(at + edit.count)
    case 'repeat': return text.slice(0, at) + text.slice(at, at + edit.count).repeat(3) + text.slice(at)
  }
}

/** Valid texts from `valid`, then 1 to 6 random edits (inserted separators, deletions, repeats). */
export function mutatedText (valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.array(textEdit, { minLength: 1, maxLength: 6 }))
    .map(([text, edits]) => edits.reduce(applyTextEdit, text))
}

/** Strings of any kind: ASCII, full Unicode with lone surrogates, and long ones. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...'abcdef0123456789:/@[].?#%=&-_wsstcpmemorywebrtcdirect'.split('')), maxLength: 300 }),
  fc.string({ maxLength: 10 }).map(s => s.repeat(500))
)
