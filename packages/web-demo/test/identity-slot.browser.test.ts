// Runs in real Chromium: real navigator.locks and sessionStorage.
import { afterEach, describe, expect, it } from 'vitest'
import { claimIdentitySlot, NoFreeIdentitySlotError, SLOT_SESSION_KEY, slotLockName } from '../src/identity-slot.js'
import type { IdentitySlot } from '../src/identity-slot.js'

/** sessionStorage is per tab: a separate map stands for another tab's sessionStorage. */
function otherTabSession (): { getItem: (k: string) => string | null, setItem: (k: string, v: string) => void } {
  const values = new Map<string, string>()
  return { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => { values.set(k, v) } }
}

describe('claimIdentitySlot (Chromium)', () => {
  const held: IdentitySlot[] = []

  afterEach(() => {
    for (const slot of held.splice(0)) slot.release()
    sessionStorage.clear()
  })

  async function claim (init: Parameters<typeof claimIdentitySlot>[0]): Promise<IdentitySlot> {
    const slot = await claimIdentitySlot(init)
    held.push(slot)
    return slot
  }

  it('gives each tab its own slot and database', async () => {
    const first = await claim({ locks: navigator.locks, session: otherTabSession() })
    const second = await claim({ locks: navigator.locks, session: otherTabSession() })
    expect(first.slot).toBe(0)
    expect(second.slot).toBe(1)
    expect(second.dbName).toBe('peermesh-1')
    const snapshot = await navigator.locks.query()
    expect(snapshot.held?.map((lock) => lock.name)).toEqual(expect.arrayContaining([slotLockName(0), slotLockName(1)]))
  })

  it('remembers the slot in sessionStorage and takes it again after it is released, as on a reload', async () => {
    await claim({ locks: navigator.locks, session: otherTabSession() })
    const mine = await claim({ locks: navigator.locks, session: sessionStorage })
    expect(sessionStorage.getItem(SLOT_SESSION_KEY)).toBe(String(mine.slot))
    mine.release()
    held.splice(held.indexOf(mine), 1)
    const again = await claim({ locks: navigator.locks, session: sessionStorage })
    expect(again).toMatchObject({ slot: mine.slot, resumed: true })
  })

  it('waits for its remembered slot while the previous document still holds it', async () => {
    sessionStorage.setItem(SLOT_SESSION_KEY, '0')
    const previous = await claim({ locks: navigator.locks, session: otherTabSession() })
    expect(previous.slot).toBe(0)
    const reloading = claim({ locks: navigator.locks, session: sessionStorage, reclaimWaitMs: 10_000 })
    previous.release()
    await expect(reloading).resolves.toMatchObject({ slot: 0, resumed: true })
  })

  it('moves a duplicated tab, whose remembered slot stays taken, to a free slot', async () => {
    const original = await claim({ locks: navigator.locks, session: otherTabSession() })
    sessionStorage.setItem(SLOT_SESSION_KEY, String(original.slot))
    const duplicate = await claim({ locks: navigator.locks, session: sessionStorage, reclaimWaitMs: 50 })
    expect(duplicate.slot).not.toBe(original.slot)
    expect(duplicate.resumed).toBe(false)
    expect(sessionStorage.getItem(SLOT_SESSION_KEY)).toBe(String(duplicate.slot))
  })

  it('fails clearly when every slot is taken', async () => {
    await claim({ locks: navigator.locks, session: otherTabSession(), maxSlots: 2 })
    await claim({ locks: navigator.locks, session: otherTabSession(), maxSlots: 2 })
    await expect(claimIdentitySlot({ locks: navigator.locks, session: otherTabSession(), maxSlots: 2 }))
      .rejects.toBeInstanceOf(NoFreeIdentitySlotError)
  })
})
