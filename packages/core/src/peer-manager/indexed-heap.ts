/**
 * A binary min-heap whose entries can be re-keyed or removed in O(log n): `push` returns a
 * handle that the owner keeps (the PeerManager keeps one per peer and heap) and hands back to
 * `update` / `remove`. `peek` is O(1), `push` / `pop` O(log n). Equal keys come out in no
 * particular order.
 */

export interface HeapHandle<T> {
  readonly item: T
  /** The key the heap orders this entry by. Change it only through {@link IndexedMinHeap.update}. */
  readonly key: number
}

interface Slot<T> extends HeapHandle<T> {
  key: number
  /** Position in the heap array; -1 once removed. */
  position: number
}

export class IndexedMinHeap<T> {
  private readonly slots: Array<Slot<T>> = []

  get size (): number {
    return this.slots.length
  }

  push (item: T, key: number): HeapHandle<T> {
    const slot: Slot<T> = { item, key, position: this.slots.length }
    this.slots.push(slot)
    this.siftUp(slot.position)
    return slot
  }

  /** The entry with the smallest key, left in place. */
  peek (): HeapHandle<T> | undefined {
    return this.slots[0]
  }

  pop (): HeapHandle<T> | undefined {
    const top = this.slots[0]
    if (top !== undefined) this.remove(top)
    return top
  }

  /** True while `handle` is in this heap. */
  holds (handle: HeapHandle<T>): boolean {
    const slot = handle as Slot<T>
    return slot.position >= 0 && this.slots[slot.position] === slot
  }

  update (handle: HeapHandle<T>, key: number): void {
    const slot = this.own(handle)
    const old = slot.key
    slot.key = key
    if (key < old) this.siftUp(slot.position)
    else if (key > old) this.siftDown(slot.position)
  }

  remove (handle: HeapHandle<T>): void {
    const slot = this.own(handle)
    const at = slot.position
    const last = this.slots.pop() as Slot<T>
    slot.position = -1
    if (last === slot) return
    this.slots[at] = last
    last.position = at
    this.siftUp(at)
    this.siftDown(last.position)
  }

  clear (): void {
    for (const slot of this.slots) slot.position = -1
    this.slots.length = 0
  }

  private own (handle: HeapHandle<T>): Slot<T> {
    if (!this.holds(handle)) throw new RangeError('this entry is not in the heap')
    return handle as Slot<T>
  }

  private siftUp (from: number): void {
    const slots = this.slots
    const slot = slots[from] as Slot<T>
    let at = from
    while (at > 0) {
      const parentAt = (at - 1) >> 1
      const parent = slots[parentAt] as Slot<T>
      if (parent.key <= slot.key) break
      slots[at] = parent
      parent.position = at
      at = parentAt
    }
    slots[at] = slot
    slot.position = at
  }

  private siftDown (from: number): void {
    const slots = this.slots
    const n = slots.length
    const slot = slots[from] as Slot<T>
    let at = from
    for (;;) {
      const l = 2 * at + 1
      if (l >= n) break
      const r = l + 1
      let child = l
      if (r < n && (slots[r] as Slot<T>).key < (slots[l] as Slot<T>).key) child = r
      const c = slots[child] as Slot<T>
      if (c.key >= slot.key) break
      slots[at] = c
      c.position = at
      at = child
    }
    slots[at] = slot
    slot.position = at
  }
}
