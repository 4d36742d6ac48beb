#!/usr/bin/env node
// Prints the frames with the most self time in a V8 .cpuprofile (from `node --cpu-prof`), and the
// share of time spent per package: `node scripts/cpu-profile-top.mjs <file.cpuprofile> [top=25]`.
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
if (file == null) { console.error('usage: cpu-profile-top.mjs <file.cpuprofile> [top]'); process.exit(2) }
const profile = JSON.parse(readFileSync(file, 'utf8'))
const dt = new Map()
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
const total = [...dt.values()].reduce((a, b) => a + b, 0)
const byFrame = new Map()
const byPackage = new Map()
for (const node of profile.nodes) {
  const self = dt.get(node.id) ?? 0
  if (self === 0) continue
  const { functionName, url, lineNumber } = node.callFrame
  const where = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '')
  const key = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`
  byFrame.set(key, (byFrame.get(key) ?? 0) + self)
  const pkg = url === '' ? functionName : (where.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0])
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self)
}
const show = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
  .forEach(([k, v]) => { console.log(`${(v / total * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`) })
console.log(`total sampled ${(total / 1000).toFixed(0)} ms\n-- self time by frame`)
show(byFrame, Number(topArg ?? 25))
console.log('-- self time by package / category')
show(byPackage, 15)
