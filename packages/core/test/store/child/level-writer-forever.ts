/**
 * Child process for the kill-while-writing test: opens a LevelDB peer store at argv[2] and writes
 * for ever, each round one record per PeerId in the JSON array argv[3] with `score` = the round.
 * After each put() resolves (the store's acknowledgement) it prints `ack <index> <round>`. It
 * never closes the database: the parent kills it with SIGKILL at a moment of its choosing.
 */
import { createLevelPeerStore } from '../../../src/store/level-peer-store.js'
import { peerRecord } from '../fixtures.js'

const [location, peerIdsJson, firstRoundText] = process.argv.slice(2)
if (location === undefined || peerIdsJson === undefined) {
  process.stderr.write('usage: level-writer-forever.ts <location> <peerIds as JSON> [first round]\n')
  process.exit(2)
}
const peerIds = JSON.parse(peerIdsJson) as string[]
const store = await createLevelPeerStore({ location })
process.stdout.write('open\n')
for (let round = Number(firstRoundText ?? 0); ; round++) {
  for (const [index, peerId] of peerIds.entries()) {
    // a long ban reason makes each record about 1 KiB, so that a kill often lands inside a write
    await store.put(peerRecord(peerId, { score: round, banReason: `round ${round} `.repeat(60) }))
    process.stdout.write(`ack ${index} ${round}\n`)
  }
}
