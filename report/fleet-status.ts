// The machines a dashboard, `dsl alerts` or `dsl compliance` speaks of: one (this host's, or `--machine`)
// or, for `--fleet`, every machine id the given stores hold generations of.
import { GenerationStore } from '../machine/generation-store.ts'
import { HOST, type MachineStatus, machineIds, machineStatus } from './machine-status.ts'

export const DEFAULT_REPORTS = '/var/lib/salt-dsl/reports'

export interface Selection {
  readonly stores: readonly string[]
  readonly reports: string
  readonly machine?: string
  readonly fleet: boolean
}

export function selectMachines(s: Selection): MachineStatus[] {
  if (!s.fleet) return [withOwnReports(machineStatus(s.stores[0]!, s.reports, s.machine))]
  const out: MachineStatus[] = []
  for (const dir of s.stores)
    for (const id of machineIds(new GenerationStore(dir)))
      out.push(withOwnReports(machineStatus(dir, s.reports, id)))
  return out
}

/** The reports describe the host they were written on: another machine id of the store gets none. */
function withOwnReports(m: MachineStatus): MachineStatus {
  const r = m.reports
  const minion = r.status ? (r.status as { minion?: string }).minion : undefined
  if (m.id === HOST() || minion === undefined || minion === m.id) return m
  return { ...m, reports: { dir: r.dir } }
}
