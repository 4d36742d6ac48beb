/**
 * A sorted set kept balanced as an AVL tree: insert, delete, first, last, successor and
 * predecessor in O(log n), in-order walks in O(k). Optionally each item carries a weight and
 * every subtree knows its smallest weight, so "the smallest weight among the items ordered
 * before x" is O(log n) too (the PeerManager uses it for the earliest dial deadline among the
 * peers ranked above a candidate), and optionally each item is marked or not and every subtree
 * knows whether it holds a marked item, so "the first marked item" is O(log n) (the PeerManager
 * marks the peers that may be dialed now).
 *
 * Items are found by `compare`, so an item's sort keys (and weight) must not change while it is
 * in the index: delete it, change it, insert it again. `compare` must be a total order (no two
 * distinct items compare equal); inserting an item equal to one present throws.
 */

interface TreeNode<T> {
  item: T
  weight: number
  left: TreeNode<T> | null
  right: TreeNode<T> | null
  height: number
  /** Smallest weight in this subtree. */
  minWeight: number
  marked: boolean
  /** Some item of this subtree is marked. */
  anyMarked: boolean
}

export class DuplicateItemError extends Error {
  override name = 'DuplicateItemError'
  constructor () {
    super('an equal item is already in the ordered index')
  }
}

function heightOf<T> (node: TreeNode<T> | null): number {
  return node === null ? 0 : node.height
}

function minWeightOf<T> (node: TreeNode<T> | null): number {
  return node === null ? Infinity : node.minWeight
}

function update<T> (node: TreeNode<T>): void {
  const l = node.left
  const r = node.right
  const hl = l === null ? 0 : l.height
  const hr = r === null ? 0 : r.height
  node.height = (hl > hr ? hl : hr) + 1
  let min = node.weight
  if (l !== null && l.minWeight < min) min = l.minWeight
  if (r !== null && r.minWeight < min) min = r.minWeight
  node.minWeight = min
  node.anyMarked = node.marked || (l !== null && l.anyMarked) || (r !== null && r.anyMarked)
}

function rotateRight<T> (node: TreeNode<T>): TreeNode<T> {
  const l = node.left as TreeNode<T>
  node.left = l.right
  l.right = node
  update(node)
  update(l)
  return l
}

function rotateLeft<T> (node: TreeNode<T>): TreeNode<T> {
  const r = node.right as TreeNode<T>
  node.right = r.left
  r.left = node
  update(node)
  update(r)
  return r
}

function balance<T> (node: TreeNode<T>): TreeNode<T> {
  update(node)
  const factor = heightOf(node.left) - heightOf(node.right)
  if (factor > 1) {
    const l = node.left as TreeNode<T>
    if (heightOf(l.left) < heightOf(l.right)) node.left = rotateLeft(l)
    return rotateRight(node)
  }
  if (factor < -1) {
    const r = node.right as TreeNode<T>
    if (heightOf(r.right) < heightOf(r.left)) node.right = rotateRight(r)
    return rotateLeft(node)
  }
  return node
}

export class OrderedIndex<T> {
  private readonly compare: (a: T, b: T) => number
  private readonly weightOf: ((item: T) => number) | undefined
  private readonly markOf: ((item: T) => boolean) | undefined
  private root: TreeNode<T> | null = null
  private count = 0
  private found = false

  /**
   * @param compare a total order of the items
   * @param weightOf each item's weight, for {@link minWeight} and {@link minWeightBefore}
   * @param markOf whether an item is marked, for {@link firstMarked}
   */
  constructor (compare: (a: T, b: T) => number, weightOf?: (item: T) => number, markOf?: (item: T) => boolean) {
    this.compare = compare
    this.weightOf = weightOf
    this.markOf = markOf
  }

  get size (): number {
    return this.count
  }

  /** @throws {DuplicateItemError} if an equal item is present */
  insert (item: T): void {
    this.root = this.insertAt(this.root, item, this.weightOf === undefined ? 0 : this.weightOf(item),
      this.markOf?.(item) === true)
    this.count++
  }

  /** Removes the item equal to `item`; false if there is none. */
  delete (item: T): boolean {
    this.found = false
    this.root = this.deleteAt(this.root, item)
    if (this.found) this.count--
    return this.found
  }

  has (item: T): boolean {
    let node = this.root
    while (node !== null) {
      const c = this.compare(item, node.item)
      if (c === 0) return true
      node = c < 0 ? node.left : node.right
    }
    return false
  }

  first (): T | undefined {
    let node = this.root
    if (node === null) return undefined
    while (node.left !== null) node = node.left
    return node.item
  }

  last (): T | undefined {
    let node = this.root
    if (node === null) return undefined
    while (node.right !== null) node = node.right
    return node.item
  }

  /** The smallest item ordered after `item` (which need not be present). */
  next (item: T): T | undefined {
    let node = this.root
    let best: T | undefined
    while (node !== null) {
      if (this.compare(item, node.item) < 0) {
        best = node.item
        node = node.left
      } else {
        node = node.right
      }
    }
    return best
  }

  /** The largest item ordered before `item` (which need not be present). */
  previous (item: T): T | undefined {
    let node = this.root
    let best: T | undefined
    while (node !== null) {
      if (this.compare(item, node.item) > 0) {
        best = node.item
        node = node.right
      } else {
        node = node.left
      }
    }
    return best
  }

  /** The first marked item in order. */
  firstMarked (): T | undefined {
    let node = this.root
    while (node !== null && node.anyMarked) {
      if (node.left !== null && node.left.anyMarked) node = node.left
      else if (node.marked) return node.item
      else node = node.right
    }
    return undefined
  }

  /** The smallest weight of all items (Infinity when empty). */
  minWeight (): number {
    return minWeightOf(this.root)
  }

  /** The smallest weight among the items ordered before `item` (Infinity if none). */
  minWeightBefore (item: T): number {
    let node = this.root
    let min = Infinity
    while (node !== null) {
      if (this.compare(node.item, item) < 0) {
        if (node.weight < min) min = node.weight
        const left = minWeightOf(node.left)
        if (left < min) min = left
        node = node.right
      } else {
        node = node.left
      }
    }
    return min
  }

  /** Calls `visit` on every item in order until it returns false. */
  forEach (visit: (item: T) => boolean | undefined): void {
    const stack: Array<TreeNode<T>> = []
    let node = this.root
    while (node !== null || stack.length > 0) {
      while (node !== null) {
        stack.push(node)
        node = node.left
      }
      const top = stack.pop() as TreeNode<T>
      if (visit(top.item) === false) return
      node = top.right
    }
  }

  toArray (): T[] {
    const items: T[] = []
    this.forEach(item => { items.push(item); return true })
    return items
  }

  clear (): void {
    this.root = null
    this.count = 0
  }

  private insertAt (node: TreeNode<T> | null, item: T, weight: number, marked: boolean): TreeNode<T> {
    if (node === null) {
      return { item, weight, left: null, right: null, height: 1, minWeight: weight, marked, anyMarked: marked }
    }
    const c = this.compare(item, node.item)
    if (c < 0) node.left = this.insertAt(node.left, item, weight, marked)
    else if (c > 0) node.right = this.insertAt(node.right, item, weight, marked)
    else throw new DuplicateItemError()
    return balance(node)
  }

  private deleteAt (node: TreeNode<T> | null, item: T): TreeNode<T> | null {
    if (node === null) return null
    const c = this.compare(item, node.item)
    if (c < 0) {
      node.left = this.deleteAt(node.left, item)
    } else if (c > 0) {
      node.right = this.deleteAt(node.right, item)
    } else {
      this.found = true
      if (node.left === null) return node.right
      if (node.right === null) return node.left
      let successor = node.right
      while (successor.left !== null) successor = successor.left
      node.item = successor.item
      node.weight = successor.weight
      node.marked = successor.marked
      node.right = this.deleteFirst(node.right)
    }
    return balance(node)
  }

  private deleteFirst (node: TreeNode<T>): TreeNode<T> | null {
    if (node.left === null) return node.right
    node.left = this.deleteFirst(node.left)
    return balance(node)
  }
}
