import { relative } from 'node:path'
import type { Diagnostic } from '../compiler/diagnostics.ts'
import { readManifestOrigins } from '../machine/manifest-origins.ts'
import { outcomeDiagnostics } from '../machine/outcome-diagnostics.ts'
import { formatOutcomes, planSummary } from '../machine/plan-report.ts'
import { seconds, styled } from '../machine/progress.ts'
import {
  changesAnything,
  type SaltStateReturn,
  type StateOutcome,
  type Summary,
  stateOutcomes,
  summarize,
} from '../machine/state-outcomes.ts'
import { auditFleetRun } from './fleet-audit.ts'
import type { FleetMachine } from './fleet-inventory.ts'
import { recordFleetGenerations } from './fleet-records.ts'
import { recordFleetRun } from './fleet-status.ts'
import { listKeys } from './keys.ts'
import { servesGenerations } from './publish.ts'
import { type MasterTools, streamMasterTool } from './salt-tools.ts'

/** How one machine's apply ended. */
export type MachineResult = 'ok' | 'failed' | 'error' | 'no return' | 'refused' | 'not registered' | 'skipped'

export interface MachineRun {
  readonly id: string
  readonly via: FleetMachine['via']
  readonly result: MachineResult
  readonly summary?: Summary
  readonly durationMs?: number
  /** Why, for a machine that did not apply. */
  readonly note?: string
  readonly outcomes: readonly StateOutcome[]
  /** Salt's own return for the machine (its per-state results or its errors): its generation keeps it. */
  readonly saltReturn?: unknown
}

export interface FleetApplyRequest {
  readonly tools: MasterTools
  readonly machines: readonly FleetMachine[]
  /** The tree the master serves (its manifest maps Salt's state IDs to TypeScript lines). */
  readonly tree: string
  /** The manifest's source paths are relative to it. */
  readonly project: string
  /** The published generation the master serves. */
  readonly generation?: number
  /** The store's dir, where `fleet.json` keeps each machine's last apply. */
  readonly stateDir: string
  readonly json: boolean
  readonly report: (diagnostics: readonly Diagnostic[]) => void
  /** This host's machine id and its own apply (`salt-call --local`, a generation in the store). */
  readonly here?: { readonly id: string; apply(): Promise<number> }
  /** A plan: Salt's `test=True` on each machine; nothing is applied or recorded as applied. */
  readonly test?: boolean
  /** With `test`: exit 2 when something would change (`dsl plan --detailed-exitcode`). */
  readonly detailedExitcode?: boolean
  /** How the machines were chosen (`--all`, `--target T`, `--machine ID`), for the audit log. */
  readonly selection?: string
}

const say = (text: string) => process.stdout.write(`${text}\n`)

/**
 * Applies each machine's highstate through Salt: the master's minions in one job (`salt -L … state.apply`,
 * each minion's return printed as it arrives, at the TypeScript lines of its states), then a summary table.
 * Salt does the transport, the parallel runs and the job cache; this reads its returns. Returns the exit code.
 */
export async function fleetApply(r: FleetApplyRequest): Promise<number> {
  // a master whose config predates generations served by name would find no top for the run's env
  const remote = r.machines.some((m) => m.via !== 'local')
  if (remote && r.generation !== undefined && !servesGenerations(r.tools.configDir)) {
    process.stderr.write(
      `the master's config in ${r.tools.configDir} does not serve published generations by name, which each fleet run reads from start to end\n` +
        `  hint: copy the built master.d/salt-dsl.conf into ${r.tools.configDir}/master.d/ and restart the salt-master\n`,
    )
    return 2
  }
  const manifest = readManifestOrigins(r.tree, r.project)
  const color = process.stdout.isTTY === true
  const runs: MachineRun[] = []
  const width = Math.max(...r.machines.map((m) => m.id.length), 7)
  const line = (run: MachineRun) => {
    runs.push(run)
    if (r.json) return
    say(`${run.id.padEnd(width)}  ${paint(run.result, color)}  ${describe(run, r.test === true)}`)
    const changed = formatOutcomes(run.outcomes, { color, all: false })
    if (changed) process.stdout.write(indent(changed))
    // several machines may fail the same state: each diagnostic names its machine
    const failures = outcomeDiagnostics(run.outcomes).map((d) => ({
      ...d,
      message: `${run.id}: ${d.message}`,
    }))
    r.report(failures)
  }
  for (const m of r.machines.filter((x) => x.via === 'local')) {
    // this host's own machine is applied here, first (its plan and progress print as dsl apply's do)
    if (r.here?.id === m.id && !r.json && !r.test) {
      say(`applying ${m.id} on this host (salt-call --local)`)
      const code = await r.here.apply()
      const note =
        code === 0 ? 'applied on this host: see `dsl generations`' : `its apply exited ${code}: see above`
      line({ id: m.id, via: 'local', result: code === 0 ? 'ok' : 'failed', note, outcomes: [] })
      continue
    }
    const note = r.test
      ? `reached via local: run \`dsl plan --machine ${m.id}\` on that machine`
      : r.here?.id === m.id
        ? 'this host: --format json applies remote machines only; run `dsl apply` here'
        : `reached via local: run \`dsl apply --machine ${m.id}\` on that machine`
    line({ id: m.id, via: m.via, result: 'skipped', note, outcomes: [] })
  }
  const job: { jid?: string } = {}
  // the master's minions and the salt-ssh machines run at the same time; each line prints as it returns
  const done = await Promise.all([
    applyMinions(
      r,
      r.machines.filter((x) => x.via === 'master'),
      manifest,
      line,
      job,
    ),
    applySsh(
      r,
      r.machines.filter((x) => x.via === 'ssh'),
      manifest,
      line,
    ),
  ])
  // a plan's exit 2 says "would change": a master it could not ask is a plain failure there
  if (done.some((code) => code === 2)) return r.test ? 1 : 2
  const jid = job.jid
  // a plan changes nothing: each machine's last apply stays what it was
  if (!r.test)
    recordFleetRun(r.stateDir, runs, {
      ...(jid ? { jid } : {}),
      ...(r.generation ? { generation: r.generation } : {}),
    })
  // each machine's run as a generation of its own store on the master, as a local apply records one
  if (!r.test)
    await recordFleetGenerations(
      {
        stateDir: r.stateDir,
        tree: r.tree,
        project: r.project,
        manifest,
        ...(jid ? { jid } : {}),
        ...(r.generation ? { generation: r.generation } : {}),
      },
      runs,
    )
  await auditFleetRun(r.stateDir, {
    action: r.test ? 'fleet plan' : 'fleet apply',
    selection: r.selection ?? r.machines.map((m) => m.id).join(','),
    runs: r.machines.flatMap((m) => runs.find((x) => x.id === m.id) ?? []),
    ...(jid ? { jid } : {}),
    ...(r.generation ? { generation: r.generation } : {}),
  })
  if (r.json)
    say(
      JSON.stringify(
        {
          jid: jid ?? null,
          generation: r.generation ?? null,
          ...(r.test ? { plan: true } : {}),
          machines: runs.map(runJson),
        },
        null,
        2,
      ),
    )
  else {
    say('')
    for (const row of summaryTable(runs, r.machines, r.test === true)) say(row)
    if (jid) say(`Salt job ${jid} (salt-run jobs.lookup_jid ${jid})`)
  }
  if (!runs.every((x) => x.result === 'ok' || x.result === 'skipped')) return 1
  const changes = runs.some((x) => x.summary !== undefined && changesAnything(x.summary))
  return r.test && r.detailedExitcode && changes ? 2 : 0
}

type Line = (run: MachineRun) => void
type Manifest = ReturnType<typeof readManifestOrigins>

/**
 * The master's minions in one job. Salt targets only minions whose key it accepted, so the keys are read
 * (salt-key, a second Python start) only when a machine did not return: to say whether it is registered.
 */
async function applyMinions(
  r: FleetApplyRequest,
  minions: readonly FleetMachine[],
  manifest: Manifest,
  line: Line,
  job: { jid?: string },
): Promise<number> {
  if (minions.length === 0) return 0
  const ids = minions.map((m) => m.id)
  if (!r.json) say(`${verb(r)} ${ids.length} machine(s) through the salt-master: ${ids.join(', ')}`)
  const returned = new Set<string>()
  // the master's word on the whole job (a JSON string line): "Authorization error occurred." under the ACL
  let refusal: string | undefined
  const ran = await streamMasterTool(
    r.tools,
    'salt',
    // queue=True: a minion busy with a state run (its scheduled drift check) runs this one after it, not never
    [
      '--out=json',
      '--out-indent=-1',
      '--show-jid',
      '-L',
      ids.join(','),
      'state.apply',
      'queue=True',
      ...saltArgs(r),
    ],
    (text) => {
      const j = /^jid: (\d+)/.exec(text)?.[1]
      if (j !== undefined) {
        job.jid = j
        if (!r.json) say(`job ${job.jid}`)
        return
      }
      const word = jobMessage(text)
      if (word !== undefined) refusal = word
      for (const [id, ret] of Object.entries(parseLine(text))) {
        if (!ids.includes(id) || returned.has(id)) continue
        returned.add(id)
        line({ ...hostRun(id, 'master', ret, manifest), saltReturn: ret })
      }
    },
  )
  const missing = ids.filter((x) => !returned.has(x))
  if (missing.length === 0) return 0
  const keys = await listKeys(r.tools)
  if ('problem' in keys) {
    process.stderr.write(`${keys.problem}\n`)
    return 2
  }
  for (const id of missing) {
    if (!keys.accepted.includes(id)) {
      const state = keys.pending.includes(id) ? `its key is pending: \`dsl fleet accept ${id}\`` : 'no key'
      line({ id, via: 'master', result: 'not registered', note: state, outcomes: [] })
    } else
      line(
        refusal !== undefined
          ? {
              id,
              via: 'master',
              result: 'refused',
              note: `the master refused the job: ${refusal}`,
              outcomes: [],
            }
          : { id, via: 'master', result: 'no return', note: lastLine(ran.stderr), outcomes: [] },
      )
  }
  return 0
}

/** The salt-ssh machines in one run, through the roster the master config names (`roster_file`). */
async function applySsh(
  r: FleetApplyRequest,
  hosts: readonly FleetMachine[],
  manifest: Manifest,
  line: Line,
): Promise<number> {
  if (hosts.length === 0) return 0
  const ids = hosts.map((m) => m.id)
  if (!r.json) say(`${verb(r)} ${ids.length} machine(s) through salt-ssh: ${ids.join(', ')}`)
  const returned = new Set<string>()
  const ran = await streamMasterTool(
    r.tools,
    'salt-ssh',
    ['--out=json', '--out-indent=-1', '-L', ids.join(','), 'state.apply', ...saltArgs(r)],
    (text) => {
      for (const [id, ret] of Object.entries(parseLine(text))) {
        if (!ids.includes(id) || returned.has(id)) continue
        returned.add(id)
        line({ ...hostRun(id, 'ssh', ret, manifest), saltReturn: ret })
      }
    },
  )
  for (const id of ids.filter((x) => !returned.has(x)))
    line({ id, via: 'ssh', result: 'no return', note: lastLine(ran.stderr), outcomes: [] })
  return 0
}

/** One machine's return (a minion's, or salt-ssh's for a host) read against the manifest. */
function hostRun(id: string, via: FleetMachine['via'], ret: unknown, manifest: Manifest): MachineRun {
  const fail = (result: MachineResult, note: string): MachineRun => ({ id, via, result, note, outcomes: [] })
  if (typeof ret === 'string') {
    if (ret.startsWith('Minion did not return'))
      return fail('no return', 'the minion stopped answering before its job ended')
    return fail('error', ret.split('\n')[0] ?? ret)
  }
  if (Array.isArray(ret)) return fail('error', ret.map(String).join(' | '))
  const states = (ret ?? {}) as Record<string, SaltStateReturn>
  const keys = Object.keys(states)
  // salt-ssh's word for a host it could not run on: retcode, stderr, _error instead of state results
  if (keys.length > 0 && !keys.some((k) => k.includes('_|-'))) {
    const e = states as unknown as { _error?: unknown; stderr?: unknown; retcode?: unknown }
    const why = [e._error, e.stderr].filter((x) => typeof x === 'string' && x.trim() !== '').map(String)
    return fail('error', why.map((w) => lastLine(w)).join(': ') || `exit ${String(e.retcode)}`)
  }
  const noTop = states['no_|-states_|-states_|-None']
  if (noTop !== undefined) return fail('error', `no state applies: ${String(noTop.comment)}`)
  const outcomes = stateOutcomes(states, manifest)
  const summary = summarize(outcomes)
  const durationMs = Math.round(outcomes.reduce((t, o) => t + o.durationMs, 0))
  const failed = summary.failed + summary.blocked > 0
  return { id, via, result: failed ? 'failed' : 'ok', summary, durationMs, outcomes }
}

/** A line that is one JSON string: Salt's message about the job as a whole. */
function jobMessage(text: string): string | undefined {
  if (!text.startsWith('"')) return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'string' ? parsed : undefined
  } catch {
    return undefined
  }
}

function parseLine(text: string): Record<string, unknown> {
  if (!text.startsWith('{')) return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

function describe(run: MachineRun, test: boolean): string {
  const s = run.summary
  if (s === undefined) return run.note ?? ''
  if (test) return planSummary(s, 0)
  const changed = s.create + s.change + s.remove
  return (
    `${changed} changed, ${s.failed} failed, ${s.blocked} blocked, ${s.unchanged} unchanged ` +
    `(${s.states} states) in ${seconds(run.durationMs ?? 0)}`
  )
}

/** The table after the run: one row per machine of the selection, in inventory order. */
export function summaryTable(
  runs: readonly MachineRun[],
  order: readonly FleetMachine[],
  test = false,
): string[] {
  const rows = order.flatMap((m) => runs.find((x) => x.id === m.id) ?? [])
  const cells = rows.map((x) => [
    x.id,
    x.via,
    x.result,
    x.summary ? String(x.summary.create + x.summary.change + x.summary.remove) : '-',
    x.summary ? String(x.summary.failed + x.summary.blocked) : '-',
    x.summary ? String(x.summary.unchanged) : '-',
    x.durationMs !== undefined ? seconds(x.durationMs) : '-',
  ])
  const head = ['machine', 'via', 'result', test ? 'to change' : 'changed', 'failed', 'unchanged', 'time']
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const fmt = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const ok = rows.filter((x) => x.result === 'ok').length
  if (test) {
    const changing = rows.filter((x) => x.summary && changesAnything(x.summary)).length
    const last = `${ok} of ${rows.length} machine(s) planned without failure; ${changing} would change`
    return [fmt(head), ...cells.map(fmt), last]
  }
  return [fmt(head), ...cells.map(fmt), `${ok} of ${rows.length} machine(s) applied without failure`]
}

function runJson(x: MachineRun) {
  return {
    id: x.id,
    via: x.via,
    result: x.result,
    ...(x.note ? { note: x.note } : {}),
    ...(x.summary ? { summary: x.summary } : {}),
    states: x.outcomes.map((o) => ({
      id: o.id,
      function: o.fun,
      change: o.change,
      status: o.status,
      comment: o.comment,
      ...(o.origin ? { file: relative(process.cwd(), o.origin.file), line: o.origin.line } : {}),
    })),
  }
}

const PAINT = {
  ok: 'green',
  failed: 'red',
  error: 'red',
  'no return': 'red',
  refused: 'red',
  'not registered': 'yellow',
  skipped: 'dim',
} as const

const verb = (r: FleetApplyRequest) => (r.test ? 'planning' : 'applying')
/**
 * Salt's test=True for a plan, and the published generation the run reads from start to end: its saltenv
 * and pillarenv (master.d serves each generation as an env of its own name), so a tree published while the
 * run goes on never reaches it. Quoted: Salt reads a bare `7` as a number, and an env name is a string.
 */
const saltArgs = (r: FleetApplyRequest) => [
  ...(r.test ? ['test=True'] : []),
  ...(r.generation !== undefined ? [`saltenv="${r.generation}"`, `pillarenv="${r.generation}"`] : []),
]

const paint = (result: MachineResult, color: boolean) => styled(PAINT[result], result.padEnd(14), color)

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n')

const lastLine = (text: string) => {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => !/unclosed MasterEvent/.test(l))
  return lines.at(-1) ?? 'Salt gave no return for it'
}
