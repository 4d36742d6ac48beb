/**
 * The source's layers, checked on the import statements themselves: a module imports only from
 * its own directory or from a lower layer, so no import runs up a layer and no two directories
 * depend on each other; and no two files form a cycle of value imports (type-only imports inside
 * one directory may refer to each other: they vanish at run time).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')

/** Lowest first. A unit is a directory under src/ or a file directly in it. */
const LAYERS: string[][] = [
  ['vocabulary.ts', 'clock.ts', 'logger.ts', 'abort.ts', 'backoff.ts', 'shims'],
  ['address', 'store'],
  ['identity', 'peer-manager'],
  ['pex', 'session', 'topology', 'broadcast', 'relay-reservations', 'libp2p', 'router'],
  ['node'],
  ['testing', 'simulation', 'index.ts']
]

interface Import { from: string, to: string, typeOnly: boolean }

function sourceFiles (dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

function importsOf (file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const found: Import[] = []
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    let target = normalize(join(dirname(file), match[3]!)).replace(/\.js$/, '.ts')
    if (!target.endsWith('.ts')) target = join(target, 'index.ts')
    found.push({ from: relative(SRC, file), to: relative(SRC, target), typeOnly: match[2] != null })
  }
  return found
}

const unitOf = (file: string): string => file.split('/')[0]!
const layerOf = (unit: string): number => LAYERS.findIndex(layer => layer.includes(unit))
const files = sourceFiles(SRC)
const imports = files.flatMap(importsOf)

describe('the layers of packages/core/src', () => {
  it('reads real imports (the premise)', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(imports.filter(i => unitOf(i.from) !== unitOf(i.to)).length).toBeGreaterThan(50)
  })

  it('places every directory and top-level file in a layer', () => {
    const units = [...new Set(files.map(f => unitOf(relative(SRC, f))))]
    expect(units.filter(unit => layerOf(unit) < 0)).toEqual([])
  })

  it('never imports up a layer, nor across directories within one', () => {
    const upward = imports
      .filter(i => unitOf(i.from) !== unitOf(i.to))
      .filter(i => layerOf(unitOf(i.to)) >= layerOf(unitOf(i.from)))
      .map(i => `${i.from} → ${i.to}`)
    expect(upward).toEqual([])
  })

  it('has no cycle of value imports between files', () => {
    const graph = new Map<string, string[]>()
    for (const i of imports) if (!i.typeOnly) graph.set(i.from, [...(graph.get(i.from) ?? []), i.to])
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const path: string[] = []
    const visit = (file: string): void => {
      state.set(file, 'open')
      path.push(file)
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '))
        else if (state.get(next) == null) visit(next)
      }
      path.pop()
      state.set(file, 'done')
    }
    for (const file of graph.keys()) if (state.get(file) == null) visit(file)
    expect(cycles).toEqual([])
  })

  it('keeps the type-only cycles inside one directory', () => {
    const edges = new Set(imports.map(i => `${i.from}|${i.to}`))
    const crossCycles = imports
      .filter(i => unitOf(i.from) !== unitOf(i.to) && edges.has(`${i.to}|${i.from}`))
      .map(i => `${i.from} ↔ ${i.to}`)
    expect(crossCycles).toEqual([])
  })
})
