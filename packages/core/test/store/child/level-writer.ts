/**
 * Child process for the crash test: opens a LevelDB peer store at argv[2], puts one record per
 * PeerId in the JSON array argv[3], prints "written" and then waits to be killed (it never closes
 * the database, so only LevelDB's write-ahead log can keep the records).
 */
import { createLevelPeerStore } from '../../../src/store/level-peer-store.js'
import { peerRecord } from '../fixtures.js'

const [location, peerIdsJson] = process.argv.slice(2)
if (location === undefined || peerIdsJson === undefined) {
  process.stderr.write('usage: level-writer.ts <location> <peerIds as JSON>\n')
  process.exit(2)
}
const peerIds = JSON.parse(peerIdsJson) as string[]

const store = await createLevelPeerStore({ location })
for (const [i, peerId] of peerIds.entries()) {
  await store.put(peerRecord(peerId, { score: i }))
}
process.stdout.write('written\n')
// Stay alive until the parent sends SIGKILL.
setInterval(() => {}, 1 << 30)
