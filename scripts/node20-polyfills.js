// Node 20 lacks a few ES2024 built-ins that our tools use in their own process (Vitest 5 prints
// failures with Map.groupBy). Imported first by the vitest configs; a no-op on Node >= 22.
if (typeof Map.groupBy !== 'function') {
  Map.groupBy = function groupBy (items, keyOf) {
    const groups = new Map()
    let index = 0
    for (const item of items) {
      const key = keyOf(item, index++)
      const group = groups.get(key)
      if (group == null) groups.set(key, [item])
      else group.push(item)
    }
    return groups
  }
}
if (typeof Object.groupBy !== 'function') {
  Object.groupBy = function groupBy (items, keyOf) {
    const groups = Object.create(null)
    let index = 0
    for (const item of items) {
      const key = keyOf(item, index++)
      ;(groups[key] ??= []).push(item)
    }
    return groups
  }
}
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve
    let reject
    const promise = new Promise((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
