import { type AuditEntry, appendAudit } from '../report/audit-log.ts'
import type { MachineRun } from './fleet-apply.ts'

/** What a fleet run's audit line keeps (its `summary`): who asked, what was selected, each machine's end. */
export interface FleetAuditSummary {
  /** The operator the master's ACL judged (`SUDO_USER` under sudo), beside the line's own OS user. */
  readonly operator?: string
  /** `--all`, `--target T` or `--machine ID`. */
  readonly selection: string
  /**
   * The published generation the master served. Not the line's `generation`: that one names this host's own
   * generations (a line naming one marks it audited), and published generations are numbered apart.
   */
  readonly published?: number
  readonly jid?: string
  readonly machines: readonly {
    readonly id: string
    readonly via: string
    readonly result: MachineRun['result']
    readonly changed?: number
    readonly failed?: number
    readonly note?: string
  }[]
}

/**
 * Appends a fleet run (`fleet apply` or `fleet plan`) to the audit log of the store on the host that ran it
 * (the master's): the generation the master served, the selection, and each machine's result. The log is
 * the same hash-chained one a machine's own applies write to.
 */
export async function auditFleetRun(
  stateDir: string,
  run: {
    readonly action: 'fleet apply' | 'fleet plan'
    readonly selection: string
    readonly runs: readonly MachineRun[]
    readonly jid?: string
    readonly generation?: number
  },
): Promise<void> {
  const operator = process.env.SUDO_USER
  const summary: FleetAuditSummary = {
    ...(operator ? { operator } : {}),
    selection: run.selection,
    ...(run.generation !== undefined ? { published: run.generation } : {}),
    ...(run.jid ? { jid: run.jid } : {}),
    machines: run.runs.map((x) => ({
      id: x.id,
      via: x.via,
      result: x.result,
      ...(x.summary
        ? {
            changed: x.summary.create + x.summary.change + x.summary.remove,
            failed: x.summary.failed + x.summary.blocked,
          }
        : {}),
      ...(x.note ? { note: x.note } : {}),
    })),
  }
  await appendAudit(stateDir, { action: run.action, summary })
}

/** A fleet line as `dsl audit` prints it; undefined for any other line. */
export function describeFleetAudit(e: AuditEntry): string | undefined {
  if (e.action !== 'fleet apply' && e.action !== 'fleet plan') return undefined
  const s = e.summary as FleetAuditSummary
  const each = s.machines.map(
    (m) =>
      `${m.id} ${m.result}${m.changed !== undefined ? ` (${m.changed} ${e.action === 'fleet plan' ? 'to change' : 'changed'})` : ''}`,
  )
  return (
    `${e.action} ${s.selection}${s.published !== undefined ? ` of published generation ${s.published}` : ''}` +
    `${s.operator ? ` as operator ${s.operator}` : ''}${s.jid ? ` (Salt job ${s.jid})` : ''}: ` +
    (each.length > 0 ? each.join(', ') : 'no machine')
  )
}
