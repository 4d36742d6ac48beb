/**
 * The PeerManager's own data structures against plain models: the AVL ordered index against a
 * sorted array, the indexed min-heap against a list scanned for its minimum, over random
 * operation sequences.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IndexedMinHeap, type HeapHandle } from '../../src/peer-manager/indexed-heap.js'
import { DuplicateItemError, OrderedIndex } from '../../src/peer-manager/ordered-index.js'

interface Item { key: number, weight: number }

const marked = (item: Item): boolean => item.weight % 3 === 0

const byKey = (a: Item, b: Item): number => a.key - b.key

describe('OrderedIndex', () => {
  it('keeps items sorted and answers first, last, next, previous, weights and the first marked item like a sorted array', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), key: fc.integer({ min: 0, max: 200 }), weight: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('query' as const), key: fc.integer({ min: -1, max: 201 }) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), ops => {
      const index = new OrderedIndex<Item>(byKey, item => item.weight, marked)
      let model: Item[] = []
      for (const step of ops) {
        if (step.kind === 'insert') {
          if (model.some(m => m.key === step.key)) {
            expect(() => { index.insert({ key: step.key, weight: step.weight }) }).toThrow(DuplicateItemError)
          } else {
            index.insert({ key: step.key, weight: step.weight })
            model.push({ key: step.key, weight: step.weight })
            model.sort(byKey)
          }
        } else if (step.kind === 'delete') {
          const present = model.some(m => m.key === step.key)
          expect(index.delete({ key: step.key, weight: 0 })).toBe(present)
          model = model.filter(m => m.key !== step.key)
        } else {
          const probe = { key: step.key, weight: 0 }
          expect(index.has(probe)).toBe(model.some(m => m.key === step.key))
          expect(index.next(probe)?.key).toBe(model.find(m => m.key > step.key)?.key)
          expect(index.previous(probe)?.key).toBe(model.filter(m => m.key < step.key).pop()?.key)
          expect(index.minWeightBefore(probe)).toBe(Math.min(...model.filter(m => m.key < step.key).map(m => m.weight)))
        }
        expect(index.size).toBe(model.length)
        expect(index.first()?.key).toBe(model[0]?.key)
        expect(index.last()?.key).toBe(model[model.length - 1]?.key)
        expect(index.minWeight()).toBe(Math.min(...model.map(m => m.weight)))
        expect(index.firstMarked()?.key).toBe(model.find(marked)?.key)
      }
      expect(index.toArray().map(i => i.key)).toEqual(model.map(m => m.key))
    }), { numRuns: 200 })
  })

  it('stays balanced: 100,000 ascending inserts then deleting every other one keep lookups shallow', () => {
    let comparisons = 0
    const index = new OrderedIndex<number>((a, b) => { comparisons++; return a - b })
    for (let i = 0; i < 100_000; i++) index.insert(i)
    for (let i = 0; i < 100_000; i += 2) index.delete(i)
    comparisons = 0
    expect(index.next(50_000)).toBe(50_001)
    // An AVL tree of 50,000 items is at most 1.44·log2(n) ≈ 23 levels deep.
    expect(comparisons).toBeLessThanOrEqual(23)
    expect(index.size).toBe(50_000)
  })

  it('forEach stops when the visitor returns false', () => {
    const index = new OrderedIndex<number>((a, b) => a - b)
    for (const n of [5, 1, 4, 2, 3]) index.insert(n)
    const seen: number[] = []
    index.forEach(n => { seen.push(n); return n < 3 })
    expect(seen).toEqual([1, 2, 3])
  })
})

describe('IndexedMinHeap', () => {
  it('pops keys in order and re-keys or removes entries by handle like a scanned list', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), key: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), key: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), ops => {
      const heap = new IndexedMinHeap<number>()
      const live: Array<HeapHandle<number>> = []
      let id = 0
      for (const step of ops) {
        if (step.kind === 'push') {
          live.push(heap.push(id++, step.key))
        } else if (step.kind === 'pop') {
          const min = Math.min(...live.map(h => h.key))
          const top = heap.pop()
          if (live.length === 0) {
            expect(top).toBeUndefined()
          } else {
            expect(top?.key).toBe(min)
            live.splice(live.indexOf(top as HeapHandle<number>), 1)
            expect(heap.holds(top as HeapHandle<number>)).toBe(false)
          }
        } else if (live.length > 0) {
          const handle = live[step.pick % live.length] as HeapHandle<number>
          if (step.kind === 'update') {
            heap.update(handle, step.key)
          } else {
            heap.remove(handle)
            live.splice(live.indexOf(handle), 1)
            expect(() => { heap.remove(handle) }).toThrow(RangeError)
          }
        }
        expect(heap.size).toBe(live.length)
        expect(heap.peek()?.key).toBe(live.length === 0 ? undefined : Math.min(...live.map(h => h.key)))
      }
    }), { numRuns: 200 })
  })
})
