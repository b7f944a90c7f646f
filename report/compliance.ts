// `dsl compliance`: every baseline rule and compliance check of a machine's last apply, pass / fail / n/a,
// with its severity, Salt's comment and the TypeScript line that declared it. Read from what the
// dashboard reads (the generation's result and manifest, the compliance report), never from the host.
import type { MachineStatus } from './machine-status.ts'

export type CheckResult = 'pass' | 'fail' | 'n/a'

/** The severity a failed check of makes `dsl compliance` exit 1 (the baseline's highest). */
export const BLOCKING_SEVERITY = 'high'

export interface ComplianceRow {
  readonly machine: string
  /** `baseline`: a rule of config/ops/baseline.ts; `report`: a check of the compliance report. */
  readonly source: 'baseline' | 'report'
  readonly id: string
  readonly result: CheckResult
  readonly severity: string | null
  /** `config/ops/baseline.ts:38` (relative to the project), and the absolute file. */
  readonly at: string | null
  readonly file: string | null
  readonly line: number | null
  /** Salt's comment on the rule's state (`unless condition is true` when it passed), or the check's detail. */
  readonly comment: string
}

export interface MachineCompliance {
  readonly machine: string
  /** The generation whose result this is, if the machine was ever applied. */
  readonly generation: number | null
  readonly time: string | null
  readonly rows: readonly ComplianceRow[]
  /** A check of BLOCKING_SEVERITY failed. */
  readonly blocking: boolean
}

const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1, low: 2 }
const RESULT_RANK: Record<CheckResult, number> = { fail: 0, pass: 1, 'n/a': 2 }
const rank = (r: ComplianceRow) =>
  RESULT_RANK[r.result] * 10 + (r.severity === null ? 9 : (SEVERITY_RANK[r.severity] ?? 8))

/** The compliance of one machine: failures first, the most severe first; baseline rules before the report's. */
export function machineCompliance(m: MachineStatus): MachineCompliance {
  const rows: ComplianceRow[] = m.baseline.map((c) => ({
    machine: m.id,
    source: 'baseline',
    id: c.id,
    result: c.applies === false ? 'n/a' : c.passed ? 'pass' : 'fail',
    severity: c.severity ?? null,
    at: c.at?.text ?? null,
    file: c.at?.file ?? null,
    line: c.at?.line ?? null,
    comment: c.comment ?? '',
  }))
  // the report's checks are one template: each points at the state that wrote the report
  const report = m.states.find((s) => s.id === 'report: compliance')?.at
  const applies = m.reports.compliance?.applies !== false
  for (const c of m.reports.compliance?.checks ?? [])
    rows.push({
      machine: m.id,
      source: 'report',
      id: c.id,
      result: !applies ? 'n/a' : c.passed ? 'pass' : 'fail',
      severity: c.severity ?? null,
      at: report?.text ?? null,
      file: report?.file ?? null,
      line: report?.line ?? null,
      comment: c.detail === undefined ? '' : JSON.stringify(c.detail),
    })
  rows.sort((a, b) => (a.source === b.source ? rank(a) - rank(b) : a.source === 'baseline' ? -1 : 1))
  return {
    machine: m.id,
    generation: m.last?.number ?? null,
    time: m.last?.time ?? null,
    rows,
    blocking: rows.some((r) => r.result === 'fail' && r.severity === BLOCKING_SEVERITY),
  }
}

/** The text table of `dsl compliance`. */
export function formatCompliance(machines: readonly MachineCompliance[]): string {
  const out: string[] = []
  for (const m of machines) {
    out.push(
      m.generation === null
        ? `${m.machine}: never applied`
        : `${m.machine}: generation ${m.generation} (${m.time})`,
    )
    if (m.generation !== null && m.rows.length === 0)
      out.push('  no baseline rule ran (include compliance.baseline) and no compliance report')
    const width = Math.max(0, ...m.rows.map((r) => r.id.length))
    for (const r of m.rows)
      out.push(
        `  ${r.result.toUpperCase().padEnd(4)}  ${(r.severity ?? '-').padEnd(6)}  ${r.id.padEnd(width)}  ${r.at ?? '-'}  ${r.comment.replace(/\n/g, '; ')}`,
      )
  }
  const rows = machines.flatMap((m) => m.rows)
  const count = (res: CheckResult) => rows.filter((r) => r.result === res).length
  const blocking = rows.filter((r) => r.result === 'fail' && r.severity === BLOCKING_SEVERITY).length
  out.push(
    `${machines.length} machine(s): ${count('pass')} passed, ${count('fail')} failed (${blocking} ${BLOCKING_SEVERITY}), ${count('n/a')} not applicable`,
  )
  return `${out.join('\n')}\n`
}
