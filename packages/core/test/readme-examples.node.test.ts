/**
 * Every TypeScript and JavaScript example in the READMEs is compiled against the built packages
 * and run, so that an example cannot rot: copied as a user would copy it, it must type-check and
 * exit by itself (an example that starts nodes stops them) within {@link RUN_TIMEOUT_MS}.
 *
 * An example that needs a browser or a shell around it is marked on the line before its fence
 * with `<!-- example: browser -->` or `<!-- example: shell -->`: it is type-checked only (a
 * browser example against the DOM library, without Node's types). Each example runs in a fresh
 * directory of its own, through a real `node` process, from the `dist/` of the packages
 * (`npm test` builds them first).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..')
const READMES = ['README.md', 'packages/core/README.md', 'packages/node-relay/README.md', 'packages/web-demo/README.md']
/** Longest an example may run before it counts as hung (it must stop what it starts). */
const RUN_TIMEOUT_MS = 60_000

export type ExampleMode = 'run' | 'browser' | 'shell'

export interface ReadmeExample {
  /** Where it is, for messages: `packages/core/README.md:6`. */
  where: string
  mode: ExampleMode
  code: string
}

const FENCE_OPEN = /^```(ts|typescript|js|javascript|mjs)\s*$/
const MARKER = /^<!--\s*example:\s*([a-z-]+)\s*-->$/

/** The code blocks of one README, with the mode of each. An unknown marker is an error. */
export function extractExamples (markdown: string, file: string): ReadmeExample[] {
  const lines = markdown.split('\n')
  const examples: ReadmeExample[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i] ?? '')) continue
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line))
    if (end === -1) throw new Error(`${file}:${i + 1}: code block is never closed`)
    let previous = i - 1
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--
    const marker = MARKER.exec((lines[previous] ?? '').trim())?.[1]
    if (marker !== undefined && marker !== 'browser' && marker !== 'shell') {
      throw new Error(`${file}:${previous + 1}: unknown example marker "${marker}" (expected browser or shell)`)
    }
    examples.push({ where: `${file}:${i + 1}`, mode: marker ?? 'run', code: lines.slice(i + 1, end).join('\n') + '\n' })
    i = end
  }
  return examples
}

function compilerOptions (mode: ExampleMode, outDir: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: mode === 'browser' ? ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'] : ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: mode === 'browser' ? [] : ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
    strict: true,
    noUncheckedIndexedAccess: true,
    // the packages' own declarations are checked by their builds
    skipLibCheck: true,
    outDir
  }
}

/** Type-checks (and emits) files of one mode; the diagnostics, formatted, by file. */
function compile (files: string[], mode: ExampleMode, outDir: string): Map<string, string> {
  const program = ts.createProgram(files, compilerOptions(mode, outDir))
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics]
  const byFile = new Map<string, string>(files.map(f => [f, '']))
  for (const d of diagnostics) {
    const file = d.file?.fileName ?? files[0] ?? ''
    const at = d.file != null && d.start != null ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
    const text = `${at != null ? `${at.line + 1}:${at.character + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
    byFile.set(file, `${byFile.get(file) ?? ''}${text}\n`)
  }
  return byFile
}

interface RunResult { code: number | null, signal: NodeJS.Signals | null, timedOut: boolean, output: string }

async function runNode (file: string, cwd: string): Promise<RunResult> {
  return await new Promise(resolve => {
    const started = Date.now()
    execFile(process.execPath, [file], { cwd, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const failure = err as (NodeJS.ErrnoException & { code?: number | string, signal?: NodeJS.Signals, killed?: boolean }) | null
      resolve({
        code: failure == null ? 0 : typeof failure.code === 'number' ? failure.code : null,
        signal: failure?.signal ?? null,
        timedOut: failure?.killed === true && Date.now() - started >= RUN_TIMEOUT_MS,
        output: `${stdout}${stderr}`
      })
    })
  })
}

const examples = READMES.flatMap(file => extractExamples(readFileSync(join(ROOT, file), 'utf8'), file))

describe('extractExamples', () => {
  it('takes ts and js blocks with their marker and leaves other languages alone', () => {
    const markdown = [
      '```ts', 'const a = 1', '```', '',
      '<!-- example: browser -->', '', '```js', 'document.title', '```',
      '```sh', 'npm test', '```',
      '<!-- example: shell -->', '```typescript', 'process.exit(0)', '```'
    ].join('\n')
    expect(extractExamples(markdown, 'X.md')).toEqual([
      { where: 'X.md:1', mode: 'run', code: 'const a = 1\n' },
      { where: 'X.md:7', mode: 'browser', code: 'document.title\n' },
      { where: 'X.md:14', mode: 'shell', code: 'process.exit(0)\n' }
    ])
  })

  it('refuses an unknown marker and an unclosed block', () => {
    expect(() => extractExamples('<!-- example: maybe -->\n```ts\n1\n```\n', 'X.md')).toThrow(/X.md:1: unknown example marker "maybe"/)
    expect(() => extractExamples('```ts\n1\n', 'X.md')).toThrow(/X.md:1: code block is never closed/)
  })
})

describe('README examples', () => {
  let dir: string
  const sources = new Map<ReadmeExample, { source: string, output: string, cwd: string }>()
  const diagnostics = new Map<string, string>()

  beforeAll(() => {
    for (const pkg of ['core', 'node-relay']) {
      if (!existsSync(join(ROOT, 'packages', pkg, 'dist/index.js'))) throw new Error(`packages/${pkg}/dist is missing: run \`npm run build\` first`)
    }
    dir = mkdtempSync(join(tmpdir(), 'peermesh-readme-'))
    // the examples import the workspace packages as a user's project would: through node_modules
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-examples', private: true, type: 'module' }))
    for (const [index, example] of examples.entries()) {
      const name = `example-${index + 1}`
      const cwd = join(dir, name)
      mkdirSync(cwd)
      const source = join(dir, 'src', `${name}.ts`)
      mkdirSync(join(dir, 'src'), { recursive: true })
      writeFileSync(source, example.code)
      sources.set(example, { source, output: join(dir, 'out', `${name}.js`), cwd })
    }
    for (const mode of ['run', 'browser', 'shell'] as const) {
      const files = examples.filter(e => e.mode === mode).map(e => sources.get(e)?.source ?? '')
      if (files.length === 0) continue
      for (const [file, text] of compile(files, mode, join(dir, 'out'))) diagnostics.set(file, text)
    }
  }, 180_000)

  afterAll(() => {
    if (dir != null) rmSync(dir, { recursive: true, force: true })
  })

  it('finds the examples it is meant to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2)
    expect(examples.filter(e => e.mode === 'run').length).toBeGreaterThanOrEqual(1)
  })

  for (const example of examples) {
    it(`${example.where} ${example.mode === 'run' ? 'compiles and runs' : `type-checks (${example.mode})`}`, async () => {
      const paths = sources.get(example)
      if (paths == null) throw new Error('not prepared')
      expect(diagnostics.get(paths.source) ?? '', `type errors in ${example.where}`).toBe('')
      if (example.mode !== 'run') return
      const result = await runNode(paths.output, paths.cwd)
      if (result.timedOut) {
        throw new Error(`${example.where} did not exit within ${RUN_TIMEOUT_MS} ms (an example that starts nodes must stop them):\n${result.output}`)
      }
      expect({ code: result.code, signal: result.signal }, `${example.where} (${paths.output}) failed:\n${result.output}`)
        .toEqual({ code: 0, signal: null })
    }, RUN_TIMEOUT_MS + 30_000)
  }
})
