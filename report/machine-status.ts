// What the dashboard, the alerts and `dsl compliance` read of a machine: the generation store (its
// generations, their Salt results, the last drift check) and the JSON reports the bundled config writes.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { type GenerationMeta, GenerationStore } from '../machine/generation-store.ts'
import { readManifestOrigins } from '../machine/manifest-origins.ts'
import { hostId } from '../machine/run-salt.ts'
import { type SaltStateReturn, type StateOutcome, stateOutcomes } from '../machine/state-outcomes.ts'

/** One state of the last apply, with where the TypeScript declared it (relative to the project). */
export interface StateRow {
  readonly id: string
  readonly fun: string
  readonly name: string
  readonly sls: string
  readonly change: StateOutcome['change']
  readonly status: StateOutcome['status']
  readonly comment: string
  readonly durationMs: number
  /** `config/states/shell.ts:12`, and the absolute path it stands for. */
  readonly at?: { readonly text: string; readonly file: string; readonly line: number }
  /** The last drift check found this state would change something now. */
  readonly drifted: boolean
}

/**
 * `<store>/drift.json`, as `dsl drift --record` writes it; or a minion's last scheduled check, read from the
 * master's job cache (`jid`; `failed`: a state failed or the tree did not render there).
 */
export interface DriftRecord {
  readonly time: string
  readonly generation: number
  readonly machine: string | null
  readonly drift: boolean
  readonly failed?: boolean
  readonly jid?: string
  readonly states: readonly {
    id: string
    function: string
    /** The state's `name` (recorded since the drift check had it; older records lack it). */
    name?: string
    change: string
    status: string
    file?: string
    line?: number
  }[]
}

export interface ComplianceCheck {
  readonly id: string
  readonly passed: boolean
  readonly severity?: string
  readonly detail?: unknown
  /** The rule's TypeScript line, and the absolute path it stands for. */
  readonly at?: { readonly text: string; readonly file: string; readonly line: number }
  /** False when the rule's subject is absent here (no sshd, no apt). */
  readonly applies?: boolean
  /** Salt's comment on the rule's state. */
  readonly comment?: string
}

/** The bundled config's reports (`ops:reports:dir`), as far as they exist. */
export interface Reports {
  readonly dir: string
  readonly inventory?: {
    profile?: string
    os?: string
    osrelease?: string
    declared_packages?: { name: string; state: string; installed: boolean; version?: string | null }[]
  }
  readonly status?: {
    profile?: string
    os?: string
    osrelease?: string
    managed_files?: { path: string; kind: string; state: string; ok: boolean; mode?: string; user?: string }[]
    services?: { name: string; state: string; running: boolean; enabled: boolean }[]
    available_updates?: Record<string, string>
    /** apt only: the `Inst` lines of `apt-get -s upgrade` (report/security-updates.ts reads them). */
    apt_upgrade?: string[]
  }
  readonly compliance?: { applies?: boolean; compliant?: boolean; checks?: ComplianceCheck[] }
}

export interface MachineStatus {
  /** The minion id (`--machine`), else this host's. */
  readonly id: string
  readonly store: string
  readonly generations: readonly GenerationMeta[]
  readonly last?: GenerationMeta
  readonly states: readonly StateRow[]
  readonly drift?: DriftRecord
  readonly reports: Reports
  /** The security baseline's rules (config/ops/baseline.ts) as the last apply ran them. */
  readonly baseline: readonly ComplianceCheck[]
}

export const HOST = (): string => hostId().id ?? 'this host'

/** Every machine id the store's generations were applied as (the host's own as `HOST()`). */
export function machineIds(store: GenerationStore): string[] {
  return [...new Set(store.list().map((g) => g.machine ?? HOST()))]
}

/**
 * The status of machine `id` (default: the one the store's last generation was applied as). `check`: its
 * last scheduled drift check, its drift when newer than the store's own record (of the last generation).
 */
export function machineStatus(
  storeDir: string,
  reportsDir: string,
  id?: string,
  check?: Omit<DriftRecord, 'generation'>,
): MachineStatus {
  const store = new GenerationStore(storeDir)
  const all = store.list()
  const machine = id ?? all.at(-1)?.machine ?? HOST()
  const generations = all.filter((g) => (g.machine ?? HOST()) === machine)
  const last = generations.at(-1)
  const record = store.readRecord<DriftRecord>('drift')
  const own = record && (record.machine ?? HOST()) === machine ? record : undefined
  const drift =
    check !== undefined && last !== undefined && check.time > (own?.time ?? last.time)
      ? { ...check, generation: last.number }
      : own
  const drifted = new Set(
    drift?.drift ? drift.states.filter((s) => s.change !== 'no-op').map((s) => s.id) : [],
  )
  const states = last ? lastStates(store, last, drifted) : []
  return {
    id: machine,
    store: storeDir,
    generations,
    ...(last ? { last } : {}),
    states,
    ...(drift ? { drift } : {}),
    // a drift check older than the last apply says nothing of now
    reports: withDrift(
      readReports(reportsDir),
      drift && (last === undefined || Date.parse(drift.time) > Date.parse(last.time)) ? drift : undefined,
    ),
    baseline: baselineChecks(states),
  }
}

/**
 * The baseline's rules from their states: a rule that passed was skipped by its `unless`, one that does
 * not apply by its `onlyif`; a failed one says `FAIL [severity] message` (config/ops/baseline.ts). The
 * state's name carries the severity (`ssh_no_root_login [high]`), so a passing rule has one too.
 */
export function baselineChecks(states: readonly StateRow[]): ComplianceCheck[] {
  return states
    .filter((s) => s.id.startsWith('baseline: ') && s.fun === 'test.configurable_test_state')
    .map((s) => {
      const failed = /^FAIL \[(\w+)\] (.*)$/s.exec(s.comment)
      const named = /\[(\w+)\]$/.exec(s.name)
      const severity = failed?.[1] ?? named?.[1]
      const applies = !/onlyif condition is false/.test(s.comment)
      return {
        id: s.id.slice('baseline: '.length),
        passed: failed === null,
        ...(severity !== undefined ? { severity } : {}),
        ...(failed ? { detail: failed[2]! } : {}),
        applies,
        comment: s.comment,
        ...(s.at ? { at: s.at } : {}),
      }
    })
}

function lastStates(store: GenerationStore, meta: GenerationMeta, drifted: ReadonlySet<string>): StateRow[] {
  const g = store.generation(meta.number)
  if (g === undefined) return []
  let result: unknown
  try {
    result = JSON.parse(readFileSync(g.result, 'utf8'))
  } catch {
    return []
  }
  // Salt answers a list of errors when it cannot run the tree: no states then
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return []
  const origins = readManifestOrigins(g.tree, meta.project)
  return stateOutcomes(result as Record<string, SaltStateReturn>, origins).map((o) => ({
    id: o.id,
    fun: o.fun,
    name: o.name,
    sls: o.sls,
    change: o.change,
    status: o.status,
    comment: o.comment,
    durationMs: o.durationMs,
    ...(o.origin
      ? {
          at: {
            text: `${relative(meta.project, o.origin.file)}:${o.origin.line}`,
            file: o.origin.file,
            line: o.origin.line,
          },
        }
      : {}),
    drifted: drifted.has(o.id),
  }))
}

function readReports(dir: string): Reports {
  const read = (name: string) => {
    const file = join(dir, `${name}.json`)
    if (!existsSync(file)) return undefined
    try {
      return JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      return undefined // a report being rewritten: Salt writes it whole, the next read sees it
    }
  }
  const inventory = read('inventory')
  const status = read('status')
  const compliance = read('compliance')
  return {
    dir,
    ...(inventory ? { inventory } : {}),
    ...(status ? { status } : {}),
    ...(compliance ? { compliance } : {}),
  }
}

/**
 * The reports as the newest look at the machine says: Salt writes them when a run applies, so a service
 * stopped since then still reads `running` there; a drift check made after them that found a declared
 * service's `service.running` would change (it is not running now) marks it stopped, and the compliance
 * report's `services_running` fails with it.
 */
export function withDrift(reports: Reports, drift: DriftRecord | undefined): Reports {
  const services = reports.status?.services
  if (drift === undefined || !drift.drift || services === undefined) return reports
  const written = reportTime(reports.dir, 'status')
  if (written === undefined || Date.parse(drift.time) <= written) return reports
  const stopped = new Set(
    drift.states
      .filter((s) => s.function === 'service.running' && s.change !== 'no-op')
      .map((s) => s.name ?? s.id),
  )
  if (stopped.size === 0) return reports
  const now = services.map((s) => (stopped.has(s.name) && s.running ? { ...s, running: false } : s))
  const names = now.filter((s) => !s.running && stopped.has(s.name)).map((s) => s.name)
  const checks = reports.compliance?.checks?.map((c) =>
    c.id !== 'services_running' || names.length === 0
      ? c
      : {
          ...c,
          passed: false,
          detail: [...new Set([...(Array.isArray(c.detail) ? c.detail : []), ...names])],
        },
  )
  return {
    ...reports,
    status: { ...reports.status, services: now },
    ...(reports.compliance && checks
      ? { compliance: { ...reports.compliance, checks, compliant: checks.every((c) => c.passed) } }
      : {}),
  }
}

/** When a report was written (its file's mtime, ms), if it is there. */
function reportTime(dir: string, name: string): number | undefined {
  return statSync(join(dir, `${name}.json`), { throwIfNoEntry: false })?.mtimeMs
}

/** A machine's failures first, then drift, then the rest (the fleet table's order). */
export function fleetOrder(a: MachineStatus, b: MachineStatus): number {
  const rank = (m: MachineStatus) =>
    (m.last && m.last.summary.failed + m.last.summary.blocked > 0) || m.drift?.failed
      ? 0
      : m.drift?.drift
        ? 1
        : 2
  return rank(a) - rank(b) || a.id.localeCompare(b.id)
}
