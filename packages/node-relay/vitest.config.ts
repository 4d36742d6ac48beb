/**
 * Two projects:
 * - `unit`: the option parser, the logger and the HTTP server, in-process.
 * - `process`: the real built command (`node dist/bin.js`) spawned as child processes, talking
 *   over real sockets with real libp2p nodes and LevelDB data directories. Its global setup
 *   compiles this package first, so the tests always run the current sources. Files run one at
 *   a time: each starts several libp2p processes, and the machine may have two cores.
 */
import { defineConfig } from 'vitest/config'

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
          testTimeout: 60_000,
          hookTimeout: 30_000
        }
      }
    ]
  }
})
