import { describe, expect, it } from 'vitest'
import { claimIdentitySlot, parseRememberedSlot, slotCandidates, slotDbName, slotLockName, WebLocksUnavailableError } from '../src/identity-slot.js'

describe('identity slots', () => {
  it('names the lock and the database of a slot', () => {
    expect(slotLockName(3)).toBe('peermesh-slot-3')
    expect(slotDbName(3)).toBe('peermesh-3')
  })

  describe('parseRememberedSlot', () => {
    it.each([
      ['0', 0],
      ['7', 7],
      [null, undefined],
      ['', undefined],
      ['-1', undefined],
      ['01', undefined],
      ['1.5', undefined],
      [' 2', undefined],
      ['32', undefined],
      ['9999999', undefined]
    ])('reads %j as %s', (value, slot) => {
      expect(parseRememberedSlot(value, 32)).toBe(slot)
    })
  })

  describe('slotCandidates', () => {
    it('tries the remembered slot first, then all others from 0 up', () => {
      expect(slotCandidates(2, 4)).toEqual([2, 0, 1, 3])
    })

    it('starts at 0 without a remembered slot', () => {
      expect(slotCandidates(undefined, 3)).toEqual([0, 1, 2])
    })

    it('ignores a remembered slot out of range', () => {
      expect(slotCandidates(5, 3)).toEqual([0, 1, 2])
    })
  })

  describe('claimIdentitySlot', () => {
    it('fails clearly without Web Locks', async () => {
      const session = new Map<string, string>()
      await expect(claimIdentitySlot({
        locks: undefined,
        session: { getItem: (k) => session.get(k) ?? null, setItem: (k, v) => { session.set(k, v) } }
      })).rejects.toBeInstanceOf(WebLocksUnavailableError)
    })
  })
})
