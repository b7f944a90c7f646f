// `dsl check`: every Jinja template a state ships (`source:` or inline `contents:`, with `template: 'jinja'`) is parsed by the pinned
// Salt's own Jinja, and each name it reads must be in the state's `context` / `defaults` or in what Salt puts in
// every template's context. Without it, a syntax error or a misspelled variable surfaces only at apply, as a
// Python traceback on the machine.
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isExpr, type Program, type StateNode, type Value } from '../../dsl/ir.ts'
import { closest } from '../../dsl/suggest.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { cacheDir, PACKAGE_ROOT } from '../paths.ts'
import { runProcess } from '../run-process.ts'
import { writeWhole } from '../write/write-whole.ts'

const SCRIPT = join(PACKAGE_ROOT, 'compiler', 'salt', 'templates.py')

interface Template {
  /** The config-tree file of a `source:` template, or the text of an inline `contents:` one. */
  readonly file?: string
  readonly inline?: string
  readonly names: readonly string[]
  readonly state: StateNode
}

interface Checked {
  readonly file: string
  readonly problems: readonly { line: number; kind: 'syntax' | 'variable' | 'filter'; message: string }[]
}

/** The config-tree templates the states render with Jinja, each with the names its state's context gives. */
export function templatesOf(program: Program, root: string): Template[] {
  const shipped = new Set(program.assets.map((a) => a.path))
  const found: Template[] = []
  for (const state of program.states) {
    if (state.args.template !== 'jinja') continue
    const names = [...keysOf(state.args.context), ...keysOf(state.args.defaults)]
    if (typeof state.args.contents === 'string') found.push({ inline: state.args.contents, names, state })
    const sources = state.args.source
    for (const source of Array.isArray(sources) ? sources : [sources]) {
      if (typeof source !== 'string' || !source.startsWith('salt://')) continue
      const path = source.slice('salt://'.length)
      if (!shipped.has(path)) continue
      found.push({ file: join(root, path), names, state })
    }
  }
  return found
}

function keysOf(value: Value | undefined): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isExpr(value)) return []
  return Object.keys(value)
}

const CODES = { syntax: 'DSL3080', filter: 'DSL3081', variable: 'DSL3082' } as const

type Problems = Checked['problems']

/**
 * Runs the pinned Salt's Jinja over every template; a diagnostic at the template's line for each problem.
 * Results are kept by the template's bytes, the names given and the checker's own text, so an unchanged
 * config does not start Python again.
 */
export async function checkTemplates(
  templates: readonly Template[],
  python: string,
  root: string,
): Promise<Diagnostic[]> {
  if (templates.length === 0) return []
  const cacheFile = join(cacheDir(root), `templates-${digest(python).slice(0, 16)}.json`)
  const cached = readCache(cacheFile)
  const script = readFileSync(SCRIPT)
  const keys = templates.map((t) =>
    digest(script, t.inline ?? readFileSync(t.file ?? ''), JSON.stringify([...t.names].sort())),
  )
  const missing = templates.filter((_, i) => cached[keys[i]!] === undefined)
  if (missing.length > 0) {
    const checked = await runChecker(missing, python)
    if (typeof checked === 'string')
      return [error('DSL3089', `Salt's Jinja could not check the templates: ${checked}`)]
    for (const [i, t] of missing.entries()) cached[keys[templates.indexOf(t)]!] = checked[i]?.problems ?? []
    writeCache(cacheFile, Object.fromEntries(keys.map((k) => [k, cached[k]!])))
  }
  return templates.flatMap((t, i) => (cached[keys[i]!] ?? []).map((p) => diagnosticOf(t, p)))
}

async function runChecker(templates: readonly Template[], python: string): Promise<Checked[] | string> {
  const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-templates-'))
  try {
    const input = join(dir, 'templates.json')
    // an inline template is checked from a file of its own here
    const files = templates.map((t, i) => {
      if (t.inline === undefined) return t.file
      const file = join(dir, `inline-${i}.j2`)
      writeFileSync(file, t.inline)
      return file
    })
    writeFileSync(input, JSON.stringify(templates.map((t, i) => ({ file: files[i], names: t.names }))))
    const run = await runProcess(python, [SCRIPT, input])
    return run.code === 0 ? (JSON.parse(run.stdout) as Checked[]) : run.stderr.slice(-1000)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function diagnosticOf(t: Template, p: Problems[number]): Diagnostic {
  const problem = `${p.kind === 'variable' ? 'template variable ' : ''}${p.message}`
  // an inline template's problem is at the state's call, naming the line inside the template
  const inline = t.file === undefined
  const message = inline ? `line ${p.line} of the inline template: ${problem}` : problem
  const at = inline ? t.state.origin : { file: t.file, line: p.line, column: 1 }
  return error(CODES[p.kind], message, at, {
    hint:
      p.kind === 'variable'
        ? variableHint(p.message, t.names)
        : 'Salt fails this state at apply with the same error',
    ...(inline ? {} : { related: [{ message: `rendered by '${t.state.id}'`, origin: t.state.origin }] }),
  })
}

const digest = (...parts: (string | Uint8Array)[]): string => {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part).update('\0')
  return hash.digest('hex')
}

function readCache(file: string): Record<string, Problems> {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return data !== null && typeof data === 'object' && !Array.isArray(data)
      ? Object.assign(Object.create(null), data)
      : Object.create(null)
  } catch {
    return Object.create(null)
  }
}

/** Written whole to a temp name and renamed over: a reader never sees half of it, a kill leaves the old one. */
function writeCache(file: string, data: Record<string, Problems>): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true })
    writeWhole(file, JSON.stringify(data))
  } catch {
    // a cache that cannot be written costs the next check a Python start, nothing more
  }
}

function variableHint(message: string, names: readonly string[]): string {
  const name = /'(.*)'/.exec(message)?.[1] ?? ''
  const near = closest(name, names)
  const given = `the state's context gives: ${names.join(', ') || 'nothing'}`
  return near
    ? `did you mean '${near}'? (${given})`
    : `add it to the state's context (${given}), or guard it with \`is defined\``
}
