/**
 * The behaviour every {@link PeerStore} adapter must show. Each adapter's test file calls
 * `describePeerStoreCompliance(name, factory)` once; the same suite then runs against memory,
 * IndexedDB (Chromium) and LevelDB (Node).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidPeerRecordError, PeerStoreClosedError } from '../../src/store/errors.js'
import type { Logger } from '../../src/logger.js'
import type { PeerRecord, PeerStore } from '../../src/store/peer-store.js'
import { byPeerId, newPeerId, newPeerIds, peerRecord, recordingLogger } from './fixtures.js'

/** What an adapter's test provides: one underlying database, opened as often as the suite asks. */
export interface PeerStoreHarness {
  /** Opens a store over the harness's database (a reopen when called again after `close()`). */
  open(logger?: Logger): Promise<PeerStore>
  /**
   * Writes `value` under the storage key of `peerId`, bypassing the codec, as a bit flip, an old
   * build or a foreign program would. Called while a store is open.
   */
  writeRaw(peerId: string, value: string): Promise<void>
  /** Whether records survive a close and a reopen of the underlying database. */
  persistent: boolean
  /** Closes and removes everything the harness created. */
  destroy(): Promise<void>
}

export function describePeerStoreCompliance (name: string, factory: () => Promise<PeerStoreHarness>): void {
  describe(`PeerStore compliance › ${name}`, () => {
    let harness: PeerStoreHarness
    let store: PeerStore

    beforeEach(async () => {
      harness = await factory()
      store = await harness.open()
    })

    afterEach(async () => {
      await store.close()
      await harness.destroy()
    })

    it('loads nothing from an empty store', async () => {
      await expect(store.load()).resolves.toEqual({ records: [], skipped: 0 })
    })

    it('loads back exactly the record that was put', async () => {
      const record = peerRecord(await newPeerId(), { banReason: 'flooded us', bannedUntil: 1_763_700_000_000 })
      await store.put(record)
      await expect(store.load()).resolves.toEqual({ records: [record], skipped: 0 })
    })

    it('keeps a copy: mutating a record after put or after load changes nothing stored', async () => {
      const record = peerRecord(await newPeerId())
      const expected = structuredClone(record)
      await store.put(record)
      record.score = 99
      record.addresses[0]!.dialFailures = 7
      const first = await store.load()
      first.records[0]!.addresses.pop()
      await expect(store.load()).resolves.toEqual({ records: [expected], skipped: 0 })
    })

    it('overwrites the record of a peer put twice', async () => {
      const peerId = await newPeerId()
      await store.put(peerRecord(peerId, { score: 1 }))
      const newer = peerRecord(peerId, { score: -4, addresses: [], inactive: true })
      await store.put(newer)
      await expect(store.load()).resolves.toEqual({ records: [newer], skipped: 0 })
    })

    it('deletes one peer and keeps the others', async () => {
      const [a, b, c] = await newPeerIds(3) as [string, string, string]
      for (const peerId of [a, b, c]) await store.put(peerRecord(peerId))
      await store.delete(b)
      const { records, skipped } = await store.load()
      expect(skipped).toBe(0)
      expect(byPeerId(records)).toEqual(byPeerId([peerRecord(a), peerRecord(c)]))
    })

    it('deletes a peer it never stored without complaint', async () => {
      await expect(store.delete(await newPeerId())).resolves.toBeUndefined()
      await expect(store.load()).resolves.toEqual({ records: [], skipped: 0 })
    })

    it('stores and loads many records', async () => {
      const peerIds = await newPeerIds(300)
      await Promise.all(peerIds.map(async (peerId, i) => { await store.put(peerRecord(peerId, { score: i })) }))
      const { records, skipped } = await store.load()
      expect(skipped).toBe(0)
      expect(byPeerId(records)).toEqual(byPeerId(peerIds.map((peerId, i) => peerRecord(peerId, { score: i }))))
    })

    it('refuses an invalid record on put and writes nothing', async () => {
      const peerId = await newPeerId()
      const invalid = { ...peerRecord(peerId), score: Number.NaN }
      await expect(store.put(invalid)).rejects.toBeInstanceOf(InvalidPeerRecordError)
      const notAPeerId = { ...peerRecord(peerId), peerId: 'not-a-peer-id' }
      await expect(store.put(notAPeerId)).rejects.toBeInstanceOf(InvalidPeerRecordError)
      await expect(store.load()).resolves.toEqual({ records: [], skipped: 0 })
    })

    it('skips and counts corrupt, foreign and unknown-version records, loads the rest, and deletes none', async () => {
      const logger = recordingLogger()
      await store.close()
      store = await harness.open(logger)

      const [good1, good2, badJson, foreign, future, misfiled, other, tooMany] = await newPeerIds(8) as [
        string, string, string, string, string, string, string, string
      ]
      await store.put(peerRecord(good1))
      await store.put(peerRecord(good2))
      await harness.writeRaw(badJson, '{"v":1,"peerId":')
      await harness.writeRaw(foreign, JSON.stringify({ hello: 'world', peerId: foreign }))
      await harness.writeRaw(future, JSON.stringify({ ...peerRecord(future), v: 2 }))
      await harness.writeRaw(misfiled, JSON.stringify(peerRecord(other)))
      const addresses = Array.from({ length: 65 }, (_, i) => ({ ...peerRecord(tooMany).addresses[0]!, url: `memory:${i}` }))
      await harness.writeRaw(tooMany, JSON.stringify({ ...peerRecord(tooMany), addresses }))

      const first = await store.load()
      expect(first.skipped).toBe(5)
      expect(byPeerId(first.records)).toEqual(byPeerId([peerRecord(good1), peerRecord(good2)]))
      expect(logger.warnings()).toHaveLength(5)
      expect(logger.warnings().map(line => line.fields?.key)).toEqual(
        expect.arrayContaining([badJson, foreign, future, misfiled, tooMany].map(id => expect.stringContaining(id)))
      )

      // Nothing was deleted: the same records are skipped again on the next load.
      const second = await store.load()
      expect(second.skipped).toBe(5)
      expect(second.records).toHaveLength(2)
    })

    it('lets a corrupt record be replaced by a good put', async () => {
      const peerId = await newPeerId()
      await harness.writeRaw(peerId, 'garbage')
      await expect(store.load()).resolves.toMatchObject({ records: [], skipped: 1 })
      await store.put(peerRecord(peerId))
      await expect(store.load()).resolves.toEqual({ records: [peerRecord(peerId)], skipped: 0 })
    })

    it('rejects every operation after close with PeerStoreClosedError, and closes twice quietly', async () => {
      const peerId = await newPeerId()
      await store.close()
      await expect(store.load()).rejects.toBeInstanceOf(PeerStoreClosedError)
      await expect(store.put(peerRecord(peerId))).rejects.toBeInstanceOf(PeerStoreClosedError)
      await expect(store.delete(peerId)).rejects.toBeInstanceOf(PeerStoreClosedError)
      await expect(store.close()).resolves.toBeUndefined()
    })

    it('rejects an operation whose signal is already aborted', async () => {
      const signal = AbortSignal.abort()
      await expect(store.load({ signal })).rejects.toMatchObject({ name: 'AbortError' })
      await expect(store.put(peerRecord(await newPeerId()), { signal })).rejects.toMatchObject({ name: 'AbortError' })
    })

    it('keeps its records across close and reopen when persistent', async () => {
      const records: PeerRecord[] = (await newPeerIds(5)).map(peerId => peerRecord(peerId))
      for (const record of records) await store.put(record)
      await store.delete(records[4]!.peerId)
      await store.close()
      store = await harness.open()
      const { records: loaded, skipped } = await store.load()
      expect(skipped).toBe(0)
      expect(byPeerId(loaded)).toEqual(harness.persistent ? byPeerId(records.slice(0, 4)) : [])
    })
  })
}
