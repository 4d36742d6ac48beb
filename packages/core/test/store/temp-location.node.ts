/** A fresh place to keep a store in tests (Node: a path inside a new directory under the OS temp dir). */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TempLocation {
  /** Does not exist yet: usable as a LevelDB directory or as a file path. */
  location: string
  remove(): Promise<void>
}

export async function tempLocation (): Promise<TempLocation> {
  const dir = await mkdtemp(join(tmpdir(), 'peermesh-test-'))
  return { location: join(dir, 'data'), remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}
