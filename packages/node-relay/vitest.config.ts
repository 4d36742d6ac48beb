/**
 * Two projects:
 * - `unit`: the option parser, the logger and the HTTP server, in-process.
 * - `process`: the real built command (`node dist/bin.js`) spawned as child processes, talking
 *   over real sockets with real libp2p nodes and LevelDB data directories. Its global setup
 *   compiles this package first, so the tests always run the current sources. Files run one at
 *   a time: each starts several libp2p processes, and the machine may have two cores.
 */
import { defineConfig } from 'vitest/config'

// Vitest 5's reporter calls Map.groupBy (Node ≥ 21) when it prints a failure; on Node 20 the
// report itself crashed and hid the failure. This runs in the main process, where the reporter is.
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true,
    writable: true,
    value: <K, V>(items: Iterable<V>, keyOf: (item: V, index: number) => K): Map<K, V[]> => {
      const groups = new Map<K, V[]>()
      let index = 0
      for (const item of items) {
        const key = keyOf(item, index++)
        const group = groups.get(key)
        if (group == null) groups.set(key, [item]); else group.push(item)
      }
      return groups
    }
  })
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/process/**'],
          testTimeout: 10_000
        }
      },
      {
        test: {
          name: 'process',
          environment: 'node',
          include: ['test/process/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 30_000
        }
      }
    ]
  }
})
