import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { beforeAll, describe, expect, it } from 'vitest'
import { InvalidPeerRecordError } from '../../src/store/errors.js'
import {
  MAX_ADDRESSES_PER_PEER,
  MAX_ADDRESS_URL_BYTES,
  MAX_PEER_RECORD_BYTES,
  decodeClonedPeerRecord,
  decodePeerRecord,
  encodePeerRecord,
  validatePeerIdString,
  validatePeerRecord
} from '../../src/store/peer-record-codec.js'
import type { PeerRecord, StoredAddress } from '../../src/store/peer-store.js'
import { newPeerId, peerRecord } from './fixtures.js'

describe('peer record codec', () => {
  let peerId: string
  let otherPeerId: string
  let secp256k1PeerId: string
  let cidPeerId: string
  let base: PeerRecord
  let address: StoredAddress

  beforeAll(async () => {
    peerId = await newPeerId()
    otherPeerId = await newPeerId()
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1'))
    secp256k1PeerId = secp.toString()
    cidPeerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toCID().toString()
    base = peerRecord(peerId)
    address = base.addresses[0]!
  })

  describe('accepts and round-trips', () => {
    const valid: Array<[string, () => PeerRecord]> = [
      ['the fixture record', () => base],
      ['a peer without addresses', () => ({ ...base, addresses: [] })],
      ['a negative, fractional score and fractional misbehaviour', () => ({ ...base, score: -3.5, misbehaviour: 12.25 })],
      ['a banned peer with a reason', () => ({ ...base, bannedUntil: 1_763_700_000_000, banReason: 'sent 65 addresses' })],
      ['an inactive peer', () => ({ ...base, inactive: true })],
      ['a secp256k1 PeerId', () => peerRecord(secp256k1PeerId)],
      ['64 addresses of exactly 1 KiB', () => ({
        ...base,
        addresses: Array.from({ length: MAX_ADDRESSES_PER_PEER }, (_, i) => ({
          ...address,
          url: `memory:${String(i).padStart(4, '0')}`.padEnd(MAX_ADDRESS_URL_BYTES, 'x')
        }))
      })]
    ]
    it.each(valid)('%s', (_what, make) => {
      const record = make()
      expect(decodePeerRecord(encodePeerRecord(record), record.peerId)).toEqual(record)
      expect(decodeClonedPeerRecord(structuredClone(record), record.peerId)).toEqual(record)
    })
  })

  it('drops fields it does not know', () => {
    const record = { ...base, extra: 'ignored' } as unknown as PeerRecord
    expect(validatePeerRecord(record)).toEqual(base)
    expect(JSON.parse(encodePeerRecord(record))).not.toHaveProperty('extra')
  })

  describe('refuses, naming the field', () => {
    const invalid: Array<[string, () => unknown, string]> = [
      ['null', () => null, ''],
      ['an array', () => [base], ''],
      ['version 2', () => ({ ...base, v: 2 }), 'v'],
      ['a missing version', () => ({ ...base, v: undefined }), 'v'],
      ['a PeerId that is not one', () => ({ ...base, peerId: 'QmNotAPeerId' }), 'peerId'],
      ['an empty PeerId', () => ({ ...base, peerId: '' }), 'peerId'],
      ['a PeerId in CID form (not canonical)', () => ({ ...base, peerId: cidPeerId }), 'peerId'],
      ['a PeerId that is not a string', () => ({ ...base, peerId: 42 }), 'peerId'],
      ['addresses that are not an array', () => ({ ...base, addresses: {} }), 'addresses'],
      ['65 addresses', () => ({
        ...base,
        addresses: Array.from({ length: MAX_ADDRESSES_PER_PEER + 1 }, (_, i) => ({ ...address, url: `memory:${i}` }))
      }), 'addresses'],
      ['an address URL over 1 KiB', () => ({ ...base, addresses: [{ ...address, url: 'é'.repeat(513) }] }), 'addresses[0].url'],
      ['an empty address URL', () => ({ ...base, addresses: [{ ...address, url: '' }] }), 'addresses[0].url'],
      ['a duplicate address', () => ({ ...base, addresses: [address, { ...address }] }), 'addresses[1].url'],
      ['an unknown address source', () => ({ ...base, addresses: [{ ...address, source: 'rumour' }] }), 'addresses[0].source'],
      ['negative dial failures', () => ({ ...base, addresses: [{ ...address, dialFailures: -1 }] }), 'addresses[0].dialFailures'],
      ['fractional dial failures', () => ({ ...base, addresses: [{ ...address, dialFailures: 1.5 }] }), 'addresses[0].dialFailures'],
      ['a string timestamp', () => ({ ...base, addresses: [{ ...address, lastConnectedAt: '2026' }] }), 'addresses[0].lastConnectedAt'],
      ['an address that is a string', () => ({ ...base, addresses: ['ws://x'] }), 'addresses[0]'],
      ['an infinite score', () => ({ ...base, score: Number.POSITIVE_INFINITY }), 'score'],
      ['negative misbehaviour', () => ({ ...base, misbehaviour: -1 }), 'misbehaviour'],
      ['a negative ban time', () => ({ ...base, bannedUntil: -5 }), 'bannedUntil'],
      ['a ban reason that is not a string', () => ({ ...base, banReason: 7 }), 'banReason'],
      ['a ban reason over 1 KiB', () => ({ ...base, banReason: 'x'.repeat(1025) }), 'banReason'],
      ['inactive as a string', () => ({ ...base, inactive: 'false' }), 'inactive'],
      ['a missing lastSeenAt', () => ({ ...base, lastSeenAt: undefined }), 'lastSeenAt']
    ]
    it.each(invalid)('%s', (_what, make, field) => {
      const value = make()
      expect(() => validatePeerRecord(value)).toThrow(InvalidPeerRecordError)
      expect(() => validatePeerRecord(value)).toThrow(expect.objectContaining({ name: 'InvalidPeerRecordError', field }))
      expect(() => encodePeerRecord(value as PeerRecord)).toThrow(InvalidPeerRecordError)
    })
  })

  describe('decodePeerRecord', () => {
    it('refuses text that is not JSON, keeping the parse error as the cause', () => {
      expect(() => decodePeerRecord('{"v":1,')).toThrow(expect.objectContaining({ name: 'InvalidPeerRecordError', cause: expect.any(SyntaxError) }))
    })

    it('refuses a value over the size limit, even valid JSON', () => {
      const padded = encodePeerRecord(base) + ' '.repeat(MAX_PEER_RECORD_BYTES)
      expect(() => decodePeerRecord(padded)).toThrow(expect.objectContaining({ name: 'InvalidPeerRecordError', field: '' }))
    })

    it('refuses a record stored under another peer’s key', () => {
      expect(() => decodePeerRecord(encodePeerRecord(base), otherPeerId)).toThrow(expect.objectContaining({ field: 'peerId' }))
    })

    it('refuses a value that is not a string', () => {
      expect(() => decodePeerRecord(base as unknown as string)).toThrow(InvalidPeerRecordError)
    })
  })

  it('validatePeerIdString accepts canonical PeerIds only', () => {
    expect(validatePeerIdString(peerId)).toBe(peerId)
    expect(() => validatePeerIdString(cidPeerId)).toThrow(InvalidPeerRecordError)
    expect(() => validatePeerIdString('x'.repeat(200))).toThrow(InvalidPeerRecordError)
  })
})
