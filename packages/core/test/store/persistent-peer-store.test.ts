import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPersistentPeerStore } from '../../src/store/persistent-peer-store.node.js'
import { byPeerId, newPeerIds, peerRecord, recordingLogger } from './fixtures.js'
import { tempLocation, type TempLocation } from './temp-location.node.js'

describe('createPersistentPeerStore', () => {
  let temp: TempLocation

  beforeEach(async () => { temp = await tempLocation() })
  afterEach(async () => { await temp.remove() })

  it('keeps records across close and reopen at the same location in this runtime', async () => {
    const records = (await newPeerIds(10)).map(peerId => peerRecord(peerId))
    const first = await createPersistentPeerStore({ location: temp.location, logger: recordingLogger() })
    for (const record of records) await first.put(record)
    await first.delete(records[9]!.peerId)
    await first.close()

    const second = await createPersistentPeerStore({ location: temp.location })
    const { records: loaded, skipped } = await second.load()
    await second.close()
    expect(skipped).toBe(0)
    expect(byPeerId(loaded)).toEqual(byPeerId(records.slice(0, 9)))
  })
})
