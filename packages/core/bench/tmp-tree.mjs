import { OrderedIndex } from '../dist/peer-manager/ordered-index.js'
const t = new OrderedIndex((a, b) => a.k - b.k, x => x.w, x => x.m)
const items = []
for (let i = 0; i < 100000; i++) { const it = { k: Math.random(), w: Infinity, m: true }; items.push(it); t.insert(it) }
let best = Infinity, bestA = Infinity
for (let r = 0; r < 40; r++) {
  let s = performance.now(); let c = 0
  t.forEach(x => { c++; return true })
  best = Math.min(best, performance.now() - s)
  s = performance.now(); c = 0
  for (const x of items) c += x.k
  bestA = Math.min(bestA, performance.now() - s)
}
console.log('min tree forEach ms', best.toFixed(2), 'min array ms', bestA.toFixed(2))
