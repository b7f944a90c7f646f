import { readFileSync, statSync } from 'node:fs'
import { relative } from 'node:path'
import type { Origin } from '../dsl/ir.ts'

export type Severity = 'error' | 'warning'

export interface Related {
  readonly message: string
  readonly origin: Origin
}

/** A problem in the user's config, as data; formatting is separate. */
export interface Diagnostic {
  readonly code: string
  readonly severity: Severity
  readonly message: string
  readonly origin?: Origin
  readonly hint?: string
  readonly related?: readonly Related[]
}

/** What every stage returns: a value (possibly partial) and what it found wrong. */
export interface StageResult<T> {
  readonly value: T
  readonly diagnostics: readonly Diagnostic[]
}

export function error(
  code: string,
  message: string,
  origin?: Origin,
  extra: Partial<Diagnostic> = {},
): Diagnostic {
  return { code, severity: 'error', message, ...(origin ? { origin } : {}), ...extra }
}

export function warning(
  code: string,
  message: string,
  origin?: Origin,
  extra: Partial<Diagnostic> = {},
): Diagnostic {
  return { code, severity: 'warning', message, ...(origin ? { origin } : {}), ...extra }
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error')

/** Stable order: file, line, column, code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.origin?.file ?? '', d.origin?.line ?? 0, d.origin?.column ?? 0, d.code] as const
  return [...diagnostics].sort((a, b) => {
    const [x, y] = [key(a), key(b)]
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as never) < (y[i] as never) ? -1 : 1
    return 0
  })
}

function where(origin: Origin | undefined, cwd: string): string {
  if (origin === undefined) return ''
  return `${relative(cwd, origin.file) || origin.file}:${origin.line}:${origin.column} - `
}

/** A few lines of source around the origin, with a caret under the column. */
export function codeFrame(origin: Origin, read: (file: string) => string | undefined = readSource): string {
  const text = read(origin.file)
  if (text === undefined || origin.line < 1) return ''
  const lines = text.split('\n')
  const from = Math.max(1, origin.line - 1)
  const to = Math.min(lines.length, origin.line + 1)
  const width = String(to).length
  const out: string[] = []
  for (let n = from; n <= to; n++) {
    out.push(`${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`)
    if (n === origin.line) out.push(`${' '.repeat(width)} | ${' '.repeat(Math.max(0, origin.column - 1))}^`)
  }
  return out.join('\n')
}

/** Source texts by file, kept while the file's size and modification time stand (a watch's later frames). */
const sources = new Map<string, { stamp: string; text: string | undefined }>()
function readSource(file: string): string | undefined {
  let stamp = ''
  try {
    const s = statSync(file)
    stamp = `${s.size}:${s.mtimeMs}`
  } catch {
    return undefined
  }
  const known = sources.get(file)
  if (known !== undefined && known.stamp === stamp) return known.text
  let text: string | undefined
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    text = undefined
  }
  sources.set(file, { stamp, text })
  return text
}

/** `file:line:col - error DSL3002: message`, a code frame, the hint and related locations. */
export function formatDiagnostic(d: Diagnostic, cwd = process.cwd()): string {
  const lines = [`${where(d.origin, cwd)}${d.severity} ${d.code}: ${d.message}`]
  if (d.origin) {
    const frame = codeFrame(d.origin)
    if (frame) lines.push('', frame, '')
  }
  for (const r of d.related ?? []) lines.push(`  ${where(r.origin, cwd)}${r.message}`)
  if (d.hint) lines.push(`  hint: ${d.hint}`)
  // Every DSL code has its cause and fix on one page of the docs (generated from the sources).
  if (d.code.startsWith('DSL')) lines.push(`  see docs/diagnostics.md#${d.code.toLowerCase()}`)
  return lines.join('\n')
}

/** Diagnostics as JSON for machines (paths relative to `cwd`). */
export function diagnosticsJson(diagnostics: readonly Diagnostic[], cwd = process.cwd()): string {
  const rel = (o: Origin | undefined) =>
    o && { file: relative(cwd, o.file) || o.file, line: o.line, column: o.column }
  const list = diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.origin ? rel(d.origin) : {}),
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, ...rel(r.origin) })) } : {}),
  }))
  return `${JSON.stringify({ diagnostics: list }, null, 2)}\n`
}
