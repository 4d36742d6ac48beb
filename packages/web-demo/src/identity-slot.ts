/**
 * Identity slots: every tab of one origin gets its own peer identity.
 *
 * A tab claims slot `n` by holding the Web Lock `peermesh-slot-<n>` for its whole life; slot `n`
 * stores its private key and peer store in the IndexedDB location `peermesh-<n>`. The slot a tab
 * holds is remembered in sessionStorage (which survives reloads of that tab only), and preferred
 * at the next claim, so a reloaded tab comes back with the same peer ID. A duplicated tab copies
 * sessionStorage, finds the slot taken, and moves on to the next free one.
 */

/** The sessionStorage key under which a tab remembers its slot. */
export const SLOT_SESSION_KEY = 'peermesh-slot'

/** Defaults for {@link claimIdentitySlot}, in one place. */
export const IDENTITY_SLOT_DEFAULTS = {
  maxSlots: 32,
  reclaimWaitMs: 1500
} as const

/** The Web Lock that marks slot `slot` as taken. */
export function slotLockName (slot: number): string {
  return `peermesh-slot-${slot}`
}

/** The IndexedDB location (private key and peer store) of slot `slot`. */
export function slotDbName (slot: number): string {
  return `peermesh-${slot}`
}

/** Reads a remembered slot number; anything but an integer in `[0, maxSlots)` is ignored. */
export function parseRememberedSlot (value: string | null | undefined, maxSlots: number): number | undefined {
  if (value == null || !/^(0|[1-9][0-9]{0,5})$/.test(value)) return undefined
  const slot = Number(value)
  return slot < maxSlots ? slot : undefined
}

/** The order in which slots are tried: the remembered one first, then all others from 0 up. */
export function slotCandidates (preferred: number | undefined, maxSlots: number): number[] {
  const order: number[] = []
  if (preferred !== undefined && preferred >= 0 && preferred < maxSlots) order.push(preferred)
  for (let slot = 0; slot < maxSlots; slot++) {
    if (slot !== preferred) order.push(slot)
  }
  return order
}

/** All slots are held by other tabs of this origin. */
export class NoFreeIdentitySlotError extends Error {
  override name = 'NoFreeIdentitySlotError'
  constructor (maxSlots: number) {
    super(`All ${maxSlots} identity slots are in use by other tabs of this origin; close one and reload`)
  }
}

/** The browser has no Web Locks API (old browser, or a page not in a secure context). */
export class WebLocksUnavailableError extends Error {
  override name = 'WebLocksUnavailableError'
  constructor () {
    super('This page needs the Web Locks API: open it over https or from localhost / 127.0.0.1 in a current browser')
  }
}

/** The subset of `LockManager` the slot claim uses. */
export interface SlotLocks {
  request: (name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown>) => Promise<unknown>
}

/** The subset of `Storage` the slot claim uses. */
export interface SlotSessionStorage {
  getItem: (key: string) => string | null
  setItem: (key: string, value: string) => void
}

export interface ClaimIdentitySlotInit {
  /** Usually `navigator.locks`; undefined when the browser lacks it. */
  locks: SlotLocks | undefined
  /** Usually `sessionStorage`. */
  session: SlotSessionStorage
  /**
   * How many slots (tabs with their own identity) one origin may have.
   * @default 32
   */
  maxSlots?: number
  /**
   * How long to wait for the remembered slot when it is still held, e.g. by this same tab's
   * previous document during a reload, before falling back to another slot.
   * @default 1500
   */
  reclaimWaitMs?: number
}

/** A slot held by this tab until `release()` or until the tab goes away. */
export interface IdentitySlot {
  slot: number
  /** The IndexedDB location of this slot's identity and peer store. */
  dbName: string
  /** True when this is the slot the tab remembered (same identity as before a reload). */
  resumed: boolean
  release: () => void
}

/**
 * Claims the remembered slot (waiting briefly for it) or the lowest free one, and remembers it.
 * @throws {WebLocksUnavailableError} without `navigator.locks`
 * @throws {NoFreeIdentitySlotError} when every slot is held
 */
export async function claimIdentitySlot (init: ClaimIdentitySlotInit): Promise<IdentitySlot> {
  const { locks, session } = init
  if (locks == null) throw new WebLocksUnavailableError()
  const maxSlots = init.maxSlots ?? IDENTITY_SLOT_DEFAULTS.maxSlots
  const reclaimWaitMs = init.reclaimWaitMs ?? IDENTITY_SLOT_DEFAULTS.reclaimWaitMs
  const remembered = parseRememberedSlot(session.getItem(SLOT_SESSION_KEY), maxSlots)

  for (const slot of slotCandidates(remembered, maxSlots)) {
    const options: LockOptions = slot === remembered
      ? { signal: AbortSignal.timeout(reclaimWaitMs) }
      : { ifAvailable: true }
    const release = await holdLock(locks, slotLockName(slot), options)
    if (release === undefined) continue
    session.setItem(SLOT_SESSION_KEY, String(slot))
    return { slot, dbName: slotDbName(slot), resumed: slot === remembered, release }
  }
  throw new NoFreeIdentitySlotError(maxSlots)
}

/**
 * Requests a lock and keeps holding it; resolves with its release function once granted, or with
 * undefined when it is not available (`ifAvailable`) or not granted before the signal aborts.
 */
async function holdLock (locks: SlotLocks, name: string, options: LockOptions): Promise<(() => void) | undefined> {
  return await new Promise((resolve, reject) => {
    locks.request(name, options, async (lock) => {
      if (lock == null) {
        resolve(undefined)
        return
      }
      await new Promise<void>((release) => { resolve(release) })
    }).catch((err: unknown) => {
      if (err instanceof DOMException && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
        resolve(undefined)
      } else {
        reject(err)
      }
    })
  })
}
