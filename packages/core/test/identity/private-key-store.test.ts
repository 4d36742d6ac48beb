import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { forgetPrivateKey, loadOrCreatePrivateKey } from '../../src/identity/private-key-store.node.js'
import { recordingLogger } from '../store/fixtures.js'
import { tempLocation, type TempLocation } from '../store/temp-location.node.js'

describe('loadOrCreatePrivateKey', () => {
  let temp: TempLocation

  beforeEach(async () => { temp = await tempLocation() })
  afterEach(async () => { await temp.remove() })

  it('creates an Ed25519 key once, then loads the same identity', async () => {
    const logger = recordingLogger()
    const first = await loadOrCreatePrivateKey({ location: temp.location, logger })
    expect(first.created).toBe(true)
    expect(first.privateKey.type).toBe('Ed25519')
    expect(logger.lines.filter(line => line.level === 'info')).toHaveLength(1)

    const second = await loadOrCreatePrivateKey({ location: temp.location })
    expect(second.created).toBe(false)
    expect(peerIdFromPrivateKey(second.privateKey).toString()).toBe(peerIdFromPrivateKey(first.privateKey).toString())
    expect(second.privateKey.equals(first.privateKey)).toBe(true)
  })

  it('gives concurrent first calls one identity between them', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, async () => loadOrCreatePrivateKey({ location: temp.location })))
    expect(results.filter(result => result.created)).toHaveLength(1)
    const peerIds = new Set(results.map(result => peerIdFromPrivateKey(result.privateKey).toString()))
    expect(peerIds.size).toBe(1)
  })

  it('creates a new identity after forgetPrivateKey, and forgetting twice is fine', async () => {
    const first = await loadOrCreatePrivateKey({ location: temp.location })
    await forgetPrivateKey({ location: temp.location })
    await expect(forgetPrivateKey({ location: temp.location })).resolves.toBeUndefined()
    const second = await loadOrCreatePrivateKey({ location: temp.location })
    expect(second.created).toBe(true)
    expect(second.privateKey.equals(first.privateKey)).toBe(false)
  })
})
