// The machines a dashboard, `dsl alerts` or `dsl compliance` speaks of: one (this host's, or `--machine`)
// or, for `--fleet`, every machine id the given stores hold generations of, the per-machine stores the
// fleet runs recorded on the master included (fleet/fleet-records.ts).
import { existsSync, realpathSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DriftCheck } from '../fleet/drift-check.ts'
import { fleetMachineStore, fleetMachineStores } from '../fleet/fleet-records.ts'
import { GenerationStore } from '../machine/generation-store.ts'
import {
  type DriftRecord,
  fleetOrder,
  HOST,
  type MachineStatus,
  machineIds,
  machineStatus,
} from './machine-status.ts'

export const DEFAULT_REPORTS = '/var/lib/salt-dsl/reports'

export interface Selection {
  readonly stores: readonly string[]
  readonly reports: string
  readonly machine?: string
  readonly fleet: boolean
  /** The minions' last scheduled drift checks (the master's job cache): each one's drift, if newer. */
  readonly checks?: ReadonlyMap<string, DriftCheck>
}

/**
 * The stores a `--fleet` view reads: each given store and the per-machine stores under it, and those under
 * the master's own state dir (`stateDir`), each once.
 */
export function fleetStores(given: readonly string[], stateDir: string): string[] {
  const all = [...given.flatMap((s) => [s, ...fleetMachineStores(s)]), ...fleetMachineStores(stateDir)]
  const seen = new Set<string>()
  return all.filter((s) => {
    const key = existsSync(s) ? realpathSync(s) : s
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function selectMachines(s: Selection): MachineStatus[] {
  const check = (id: string) => {
    const c = s.checks?.get(id)
    return c === undefined ? undefined : checkRecord(id, c)
  }
  if (!s.fleet) {
    const store = machineStore(s.stores[0]!, s.machine)
    const m = machineStatus(store, s.reports, s.machine, check(s.machine ?? ''))
    return [withOwnReports(m, isFleetStore(store))]
  }
  // a machine in two stores (applied here with --machine, and through the master): its newest apply
  const byId = new Map<string, MachineStatus>()
  for (const dir of s.stores)
    for (const id of machineIds(new GenerationStore(dir))) {
      const m = withOwnReports(machineStatus(dir, s.reports, id, check(id)), isFleetStore(dir))
      const had = byId.get(id)
      if (had === undefined || (m.last?.time ?? '') > (had.last?.time ?? '')) byId.set(id, m)
    }
  return [...byId.values()].sort(fleetOrder)
}

/** A per-machine store a fleet run recorded (`<stateDir>/machines/<id>`). */
export const isFleetStore = (dir: string) => fleetMachineStores(dirname(dirname(dir))).includes(dir)

/** `--machine ID` of a machine the fleet runs recorded: its own store, unless the given one holds it. */
function machineStore(dir: string, machine: string | undefined): string {
  if (machine === undefined) return dir
  if (new GenerationStore(dir).list().some((g) => (g.machine ?? HOST()) === machine)) return dir
  const own = fleetMachineStore(dir, machine)
  return existsSync(own) ? own : dir
}

/** A scheduled check as the drift record a machine's own `dsl drift --record` writes. */
function checkRecord(id: string, c: DriftCheck): Omit<DriftRecord, 'generation'> {
  return {
    time: c.time,
    machine: id,
    drift: c.result === 'drift',
    failed: c.result === 'failed',
    jid: c.jid,
    states: c.states.map((state) => ({
      id: state,
      function: '',
      change: c.result === 'drift' ? 'change' : 'no-op',
      status: c.result === 'failed' ? 'failed' : 'ok',
    })),
  }
}

/**
 * The reports describe the host they were written on: another machine id of the store gets none, nor does
 * a machine of a fleet store (applied elsewhere) unless they name it.
 */
function withOwnReports(m: MachineStatus, fleet: boolean): MachineStatus {
  const r = m.reports
  const minion = r.status ? (r.status as { minion?: string }).minion : undefined
  if (minion === m.id || (!fleet && (m.id === HOST() || minion === undefined))) return m
  return { ...m, reports: { dir: r.dir } }
}
