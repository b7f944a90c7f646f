import { relative } from 'node:path'
import type { Diagnostic } from '../compiler/diagnostics.ts'
import { seconds, styled } from './progress.ts'
import type { RunOverlay } from './run-overlay.ts'
import type { StateOutcome, Summary } from './state-outcomes.ts'

const MARK = { create: '+', change: '~', remove: '-', 'no-op': ' ' } as const
const COLOR = { create: 'green', change: 'yellow', remove: 'red', 'no-op': 'dim' } as const

export interface ReportOptions {
  readonly color: boolean
  /** List the states that change nothing too. */
  readonly all: boolean
  readonly cwd?: string
}

/** Per state what it would change (or changed), with Salt's diff and its TypeScript `file:line`. */
export function formatOutcomes(outcomes: readonly StateOutcome[], o: ReportOptions): string {
  const lines: string[] = []
  const cwd = o.cwd ?? process.cwd()
  for (const s of outcomes) {
    if (s.status === 'failed' || s.status === 'blocked') continue // printed as diagnostics
    if (s.change === 'no-op' && !o.all) continue
    const head = `${MARK[s.change]} ${s.change.padEnd(6)}`
    const at = s.origin ? `${relative(cwd, s.origin.file) || s.origin.file}:${s.origin.line}` : '(no origin)'
    const skipped = s.status === 'skipped' ? ' (not run: its requisites asked for nothing)' : ''
    lines.push(
      `${styled(COLOR[s.change], head, o.color)} ${s.fun} ${s.id}  ${styled('dim', at, o.color)}${skipped}`,
    )
    if (s.name !== s.id) lines.push(`           name: ${s.name}`)
    if (s.items.length > 0 && !(s.items.length === 1 && s.items[0] === s.name))
      lines.push(`           ${s.fun.startsWith('pkg.') ? 'packages' : 'services'}: ${s.items.join(', ')}`)
    if (s.change === 'no-op') continue
    if (s.diffHidden) lines.push('           (diff hidden: the state may hold a secret)')
    else if (s.diff !== undefined && s.diff !== 'New file')
      for (const d of s.diff.replace(/\n$/, '').split('\n')) lines.push(`           ${colorDiff(d, o.color)}`)
    else if (s.change === 'change' && s.diff === undefined && s.comment)
      for (const c of s.comment.split('\n').slice(0, 3)) lines.push(`           ${c}`)
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}

function colorDiff(line: string, on: boolean): string {
  if (line.startsWith('+') && !line.startsWith('+++')) return styled('green', line, on)
  if (line.startsWith('-') && !line.startsWith('---')) return styled('red', line, on)
  if (line.startsWith('@@')) return styled('cyan', line, on)
  return line
}

/** `Plan: 2 to create, 1 to change, 0 to remove, 5 unchanged (8 states)`. */
export function planSummary(s: Summary, errors: number): string {
  const failed = s.failed + s.blocked + errors
  return (
    `${s.create} to create, ${s.change} to change, ${s.remove} to remove, ${s.unchanged} unchanged` +
    `${s.skipped > 0 ? `, ${s.skipped} not run (requisites)` : ''} (${s.states} states)` +
    `${failed > 0 ? `, ${failed} with errors` : ''}`
  )
}

/** `3 changed, 1 failed, 1 blocked, 0 skipped, 40 unchanged in 3.2 s`. */
export function applySummary(s: Summary, durationMs: number): string {
  const changed = s.create + s.change + s.remove
  return (
    `${changed} changed, ${s.failed} failed, ${s.blocked} blocked, ${s.skipped} skipped, ` +
    `${s.unchanged} unchanged (${s.states} states) in ${seconds(durationMs)}`
  )
}

/** The JSON form of a plan or an apply. */
export function outcomesJson(
  outcomes: readonly StateOutcome[],
  summary: Summary,
  diagnostics: readonly Diagnostic[],
  extra: Record<string, unknown>,
  cwd = process.cwd(),
): string {
  const states = outcomes.map((s) => ({
    id: s.id,
    function: s.fun,
    name: s.name,
    sls: s.sls,
    change: s.change,
    status: s.status,
    comment: s.comment,
    ...(s.diff !== undefined ? { diff: s.diff } : {}),
    ...(s.diffHidden ? { diffHidden: true } : {}),
    ...(s.items.length > 0 ? { items: s.items } : {}),
    ...(s.origin
      ? { file: relative(cwd, s.origin.file) || s.origin.file, line: s.origin.line, column: s.origin.column }
      : {}),
    durationMs: s.durationMs,
  }))
  const diags = diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    ...(d.origin ? { file: relative(cwd, d.origin.file), line: d.origin.line, column: d.origin.column } : {}),
  }))
  return `${JSON.stringify({ ...extra, summary, states, diagnostics: diags }, null, 2)}\n`
}

/** What a run adds of its own, said before its plan: files edited on the machine, prunes it leaves, migrations. */
export function overlayNotes(o: RunOverlay, force: boolean): string[] {
  const lines: string[] = []
  for (const e of o.edits) {
    const what = e.policy === 'overwrite' || force ? 'overwritten' : 'kept (--force overwrites it)'
    lines.push(`! modified locally: ${e.name}: ${what}; your version is backed up to ${e.backup} first`)
  }
  for (const l of o.left) lines.push(`  left on the machine: ${l.fun} ${l.id} (${l.why})`)
  for (const m of o.done) lines.push(`  migration ${m.sls} already ran on this machine: left out`)
  if (o.changed)
    lines.push(
      `--changed: ${o.changed.ids.length} state(s) differ from the last generation; with their requisites ${o.changed.run} of ${o.changed.total} run`,
    )
  if (o.interrupted)
    lines.push('  the last apply was interrupted: files changed since are taken as its work, not local edits')
  if (o.problem) lines.push(`! the run's own states are not applied: ${o.problem}`)
  return lines
}
