/**
 * Shared set-up of the relay's fuzz tests: {@link DEFAULT_FUZZ_RUNS} inputs per property in the
 * normal run, `PEERMESH_FUZZ_RUNS` (100,000 with `npm run fuzz -w @peermesh/node-relay`) in the
 * dedicated one; `PEERMESH_FUZZ_SEED` replays a failure.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type fc from 'fast-check'

export const DEFAULT_FUZZ_RUNS = 1000
export const FUZZ_RUNS = Number(process.env.PEERMESH_FUZZ_RUNS ?? DEFAULT_FUZZ_RUNS)

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

export const MAX_HEAP_GROWTH_BYTES = 16 * 1024 * 1024
