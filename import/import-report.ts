// IMPORT-REPORT.md: how many of each machine's states became typed builders, state() calls or stayed
// hand-written Salt, and for each SLS what happened to it and why.
import type { KeptSls, TranslatedSls } from './translate-sls.ts'

/** One line of the import report: what was kept as hand-written Salt or left out, and why. */
export interface ImportNote {
  readonly what: string
  readonly outcome: 'translated' | 'kept' | 'not imported'
  readonly reason: string
  /** Every reason, when there are several. */
  readonly reasons?: readonly string[]
}

/** One machine's states by what the import made of them. */
export interface StateShare {
  readonly machine: string
  readonly builders: number
  readonly stateCalls: number
  readonly kept: number
}

/** Per machine, its states as typed builders, state() calls and kept SLS. */
export function stateShares(
  machines: readonly string[],
  translated: readonly TranslatedSls[],
  kept: readonly KeptSls[],
): StateShare[] {
  return machines.map((machine) => ({
    machine,
    builders: translated.reduce((n, t) => n + (t.perMachine.get(machine)?.builders ?? 0), 0),
    stateCalls: translated.reduce((n, t) => n + (t.perMachine.get(machine)?.stateCalls ?? 0), 0),
    kept: kept.reduce((n, k) => n + (k.states.get(machine) ?? 0), 0),
  }))
}

/** `7 state(s): 2 as typed builders (pkg, service), 5 as state()`, per machine where they differ. */
export function translatedReason(t: TranslatedSls): string {
  const counts = [...t.perMachine].map(([m, c]) => ({ m, ...c }))
  const alike = counts.every(
    (c) => c.builders === counts[0]?.builders && c.stateCalls === counts[0]?.stateCalls,
  )
  const what = (c: { builders: number; stateCalls: number }) =>
    `${c.builders} as typed builders, ${c.stateCalls} as state()`
  const per =
    alike && counts[0] !== undefined ? what(counts[0]) : counts.map((c) => `${c.m}: ${what(c)}`).join('; ')
  const includes = t.includes.length === 0 ? '' : `; includes: ${t.includes.join(', ')}`
  return `${t.states} state(s), ${per}; builders: ${t.builders.join(', ') || 'none'}${includes}`
}

const pct = (n: number, total: number) => (total === 0 ? '–' : `${Math.round((100 * n) / total)}%`)

/** `7 builders (58%), 2 state() (17%), 3 kept (25%)` of one machine. */
export function shareText(s: StateShare): string {
  const total = s.builders + s.stateCalls + s.kept
  return `${s.builders} builder (${pct(s.builders, total)}), ${s.stateCalls} state() (${pct(s.stateCalls, total)}), ${s.kept} kept (${pct(s.kept, total)})`
}

export function reportText(notes: readonly ImportNote[], shares: readonly StateShare[]): string {
  const rows = notes.map((n) => {
    const more = (n.reasons?.length ?? 0) > 1 ? ` (and ${(n.reasons?.length ?? 1) - 1} more below)` : ''
    return `| ${n.what} | ${n.outcome} | ${(n.reasons?.[0] ?? n.reason).replace(/\|/g, '\\|')}${more} |`
  })
  const share = shares.map((s) => {
    const total = s.builders + s.stateCalls + s.kept
    return `| ${s.machine} | ${total} | ${s.builders} (${pct(s.builders, total)}) | ${s.stateCalls} (${pct(s.stateCalls, total)}) | ${s.kept} (${pct(s.kept, total)}) |`
  })
  const why = notes
    .filter((n) => (n.reasons?.length ?? 0) > 1)
    .flatMap((n) => ['', `${n.what}:`, ...(n.reasons ?? []).map((r) => `- ${r}`)])
  return [
    '# Import report',
    '',
    'Kept SLS are shipped unchanged with saltDir(); reach their states from TypeScript with external(), and',
    'move them over one file at a time.',
    '',
    "## Each machine's states",
    '',
    '| machine | states | typed builders | state() | kept as hand-written Salt |',
    '| --- | --- | --- | --- | --- |',
    ...share,
    '',
    '## Each SLS',
    '',
    '| what | outcome | reason |',
    '| --- | --- | --- |',
    ...rows,
    ...(why.length > 0 ? ['', '## Why each kept SLS is kept', ...why] : []),
    '',
  ].join('\n')
}
