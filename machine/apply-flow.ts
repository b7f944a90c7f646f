import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Diagnostic } from '../compiler/diagnostics.ts'
import { discardWarmSalt, prewarmSalt } from '../compiler/salt/salt-call.ts'
import { auditGeneration } from '../report/audit-generation.ts'
import { approvalRefusal } from './approval.ts'
import { confirm } from './confirm.ts'
import { fileHashes } from './file-hashes.ts'
import { currentUser, type GenerationMeta, type GenerationStore } from './generation-store.ts'
import type { GitRevision } from './git-revision.ts'
import { type WrittenFile, writtenDotfiles } from './local-edits.ts'
import { readManifestOrigins } from './manifest-origins.ts'
import { readMarkers } from './markers.ts'
import type { MigrationLog } from './migrations.ts'
import { applySummary, formatOutcomes, outcomesJson, overlayNotes, planSummary } from './plan-report.ts'
import { runTree, type TreeRun } from './plan-tree.ts'
import { progressPrinter, saltLogReader } from './progress.ts'
import { rootNeeds } from './root-needs.ts'
import { prepareOverlay, type RunOverlay } from './run-overlay.ts'
import { changesAnything, type SaltStateReturn, type StateOutcome } from './state-outcomes.ts'

/** Where the tree to apply comes from. */
export type TreeSource =
  | {
      readonly kind: 'built'
      readonly out: string
      readonly project: string
      readonly revision?: GitRevision
    }
  | { readonly kind: 'generation'; readonly number: number; readonly as: 'rollback' | 'fix' | 'drift' }

export interface ApplyRequest {
  readonly store: GenerationStore
  readonly python: string
  /** `--machine`; else the generation's own, else this host's id. */
  readonly machine: string | undefined
  readonly source: TreeSource
  readonly yes: boolean
  readonly keep: number
  readonly json: boolean
  /** Drift: exit 2 when something changed behind salt-dsl's back. */
  readonly detailedExitcode?: boolean
  /** Drift: write the result to the store's `drift.json` (what the drift timer runs, for the status report). */
  readonly record?: boolean
  /** Drift: re-apply the stored tree. */
  readonly fix?: boolean
  /** `--rollback-on-failure`: when the apply fails, apply the previous generation again. */
  readonly rollbackOnFailure?: boolean
  /** `--changed`: apply only the states that differ from the last generation, and their requisites. */
  readonly changedOnly?: boolean
  /** `--force`: overwrite files edited on the machine since the last apply (backed up first). */
  readonly force?: boolean
  /** Prints diagnostics (the CLI's reporter). */
  readonly report: (diagnostics: readonly Diagnostic[]) => void
}

const out = process.stdout
const say = (text: string) => out.write(`${text}\n`)

/**
 * The apply of a tree under the store's lock: stage it, plan it with Salt's test=True, ask, apply it with
 * progress read from Salt's log, and record the generation. Drift is the same without the apply, unless
 * it is asked to fix. Returns the exit code.
 */
export async function applyFlow(r: ApplyRequest): Promise<number> {
  const seen: { failed?: FailedApply } = {}
  const code = await applyOnce(r, seen)
  const failed = seen.failed
  if (failed === undefined || !(r.rollbackOnFailure || failed.policy)) return code
  if (failed.previous === undefined) {
    say('rollback on failure: there is no earlier generation to go back to')
    return code
  }
  say(`\nthe apply failed: applying generation ${failed.previous} again (rollback on failure)`)
  if (failed.lasting.length > 0) {
    say('Salt cannot undo what these states of the failed run did:')
    for (const o of failed.lasting) say(`  ${o.fun} ${o.id} (${o.change})`)
  }
  const back = await applyOnce(
    { ...r, source: { kind: 'generation', number: failed.previous, as: 'rollback' }, yes: true },
    {},
  )
  say(
    back === 0
      ? `rolled back to generation ${failed.previous}`
      : `the rollback to generation ${failed.previous} failed too: see above`,
  )
  return 1
}

/** A failed apply of a built tree: what a rollback on failure needs. */
interface FailedApply {
  /** The generation before the failed one. */
  readonly previous?: number
  /** The config asks for a rollback on failure (`applyPolicy`). */
  readonly policy: boolean
  /** States of the failed run whose effect a rollback does not take back (commands, packages, users…). */
  readonly lasting: readonly StateOutcome[]
}

/** The store record of an apply under way: present after a run was killed between Salt and its record. */
export const APPLYING = 'applying'

/** The IDs the run's own states prune (their records go with them). */
const pruneTargets = (o: RunOverlay): Record<string, true> =>
  Object.fromEntries([...o.origins].filter(([, row]) => row.fun !== 'cmd.run').map(([id]) => [id, true]))

/** What a rollback takes back: the previous tree's files are written again, the failed one's new files pruned. */
const UNDONE = new Set(['file.managed', 'file.symlink', 'file.absent', 'test.nop'])

async function applyOnce(r: ApplyRequest, seen: { failed?: FailedApply }): Promise<number> {
  const lock = await r.store.lock((why) => process.stderr.write(`${why}…\n`))
  const run = r.store.newRun()
  // every way out prunes to --keep: a run killed between its record and its prune left one too many
  let pruned = false
  try {
    const from = r.source.kind === 'generation' ? r.store.generation(r.source.number) : undefined
    if (r.source.kind === 'generation' && from === undefined) {
      process.stderr.write(`no generation ${r.source.number} (see \`dsl generations\`)\n`)
      return 2
    }
    const tree =
      r.source.kind === 'built'
        ? r.store.importTree(r.source.out, run)
        : r.store.linkGeneration(r.source.number, run)
    const project = r.source.kind === 'built' ? r.source.project : from!.meta.project
    const machine = r.machine ?? from?.meta.machine
    // what the config tells the machine side (read before the tree moves into its generation)
    const nextStates = readManifestOrigins(run.tree, project).states
    const markers = readMarkers(nextStates.keys())
    if (r.source.kind === 'built' && markers.approvalBranch !== undefined) {
      const why = await approvalRefusal(project, r.source.revision, markers.approvalBranch)
      if (why !== undefined) {
        process.stderr.write(`refusing to apply: ${why} (the config's applyPolicy asks for approval)\n`)
        return 1
      }
      if (!r.json)
        say(`approved: commit ${r.source.revision?.commit.slice(0, 10)} is on '${markers.approvalBranch}'`)
    }
    const ws = { tree: run.tree, scratch: run.scratch }
    const base: { python: string; machine: string | undefined; overlay?: string } = {
      python: r.python,
      machine,
    }
    const who = machine === undefined ? 'this host' : `machine ${machine}`
    const color = out.isTTY === true

    const previous = r.store.list().at(-1)
    if (r.changedOnly && r.source.kind === 'built' && previous?.tree === tree) {
      // the same bytes as the last generation's tree: no state's rendered form can differ
      say(`nothing changed since the last generation (${previous.number}: the same tree)`)
      return 0
    }
    const storedOnly = r.source.kind === 'generation' && r.source.as !== 'rollback'
    // drift and its fix are the stored tree alone; an apply and a rollback also undo what the last
    // generation applied and this tree drops, and keep what the user edited
    const overlay: RunOverlay = storedOnly
      ? { origins: new Map(), left: [], edits: [], done: [], due: [], own: 0 }
      : await prepareOverlay({
          changedOnly: r.changedOnly ?? false,
          store: r.store,
          tree: run.tree,
          project,
          scratch: run.scratch,
          ...base,
          force: r.force ?? false,
        })
    if (overlay.dir !== undefined) Object.assign(base, { overlay: overlay.dir })
    if (!r.json) for (const line of overlayNotes(overlay, r.force ?? false)) say(line)
    if (overlay.changed && overlay.changed.run === 0 && overlay.own === 0) {
      say('nothing changed since the last generation')
      return 0
    }
    // `--changed --yes` as root asks nothing and needs no list of what root alone could do: the test=True
    // run (a Salt start and a render of its own) is skipped, and the apply's own result is the report
    const skipPlan =
      r.yes && r.changedOnly === true && overlay.changed !== undefined && process.getuid?.() === 0
    // the plan's salt-call is noted in the lock too: a successor waits for it if this run is killed (no
    // salt-call is loaded ahead for the apply here: on a converged machine, the common case, none follows)
    const plan = skipPlan
      ? undefined
      : await runTree(
          ws,
          project,
          { ...base, test: true, onSpawn: (pid) => lock.noteSalt(pid) },
          overlay.origins,
        )
    const last = r.store.list().at(-1)
    const lastFiles = last ? readWritten(r.store, last.number) : []
    if (plan !== undefined) {
      const drift = r.source.kind === 'generation' && r.source.as === 'drift'
      const heading = drift ? `drift of ${who} from generation ${from!.meta.number}` : `plan for ${who}`
      // JSON describes the run's last step: the drift itself, or the apply that follows the plan
      const changes = changesAnything(plan.summary)
      const driftOnly = drift && (!r.fix || !changes)
      showPlan(
        r,
        plan,
        heading,
        driftOnly ? { machine: machine ?? null, generation: from!.meta.number } : undefined,
      )
      if (drift && r.record) recordDrift(r.store, plan, from!.meta.number, machine)
      if (Array.isArray(plan.result)) return 1 // Salt could not run the tree: nothing to apply
      if (driftOnly) {
        if (plan.summary.failed > 0) return 1
        if (!changes && !r.json) say('no drift: the machine is as the generation left it')
        return changes && r.detailedExitcode ? 2 : 0
      }

      if (process.getuid?.() !== 0) {
        const needs = rootNeeds(plan.outcomes, currentUser())
        process.stderr.write(`note: ${needs.note}\n`)
        for (const s of needs.states) process.stderr.write(`  ${s.fun} ${s.id}\n`)
      }
      if (!changes && plan.summary.failed === 0) {
        const kind = recordKind(r.source)
        if (last?.tree === tree && kind === 'apply') {
          say(`nothing to change; the machine is as generation ${last.number} left it`)
          return 0
        }
        const g = record(r, run, tree, project, machine, plan, from?.meta, { files: lastFiles })
        await auditGeneration(r.store, g, plan.outcomes)
        say(`nothing to change; recorded generation ${g.number}${describe(g)}`)
        return 0
      }
      if (!r.yes) {
        if (process.stdin.isTTY !== true) return refuse()
        prewarmSalt(r.python) // loads while the question is read
        const n = plan.summary.create + plan.summary.change + plan.summary.remove
        if (!(await confirm(`Apply ${n} change(s) to ${who}?`))) {
          say('nothing applied')
          return 1
        }
      }
    }
    const total = plan ? plan.summary.states : overlay.changed!.run + overlay.own
    const progress = progressPrinter(total, out, color)
    // until the generation is recorded, a file Salt wrote is not a local edit (see prepareOverlay)
    r.store.writeRecord(APPLYING, { time: new Date().toISOString(), after: last?.number ?? null })
    const applied = await runTree(
      ws,
      project,
      {
        ...base,
        test: false,
        ...(r.json ? {} : { onLine: saltLogReader(progress.onEvent) }),
        onSpawn: (pid) => lock.noteSalt(pid),
      },
      overlay.origins,
    )
    progress.end()
    r.report(applied.diagnostics)
    const kept = lastFiles.filter((w) => nextStates.has(w.id) && !(w.id in pruneTargets(overlay)))
    const files = writtenAfter(applied, overlay, r.force ?? false, kept)
    // the render this run made of its tree: the next --changed or prune reads it instead of rendering again
    const lowstate = overlay.lowstate && !Array.isArray(applied.result) ? { lowstate: overlay.lowstate } : {}
    const g = record(r, run, tree, project, machine, applied, from?.meta, { files, ...lowstate })
    await auditGeneration(r.store, g, applied.outcomes)
    logMigrations(r.store, overlay, applied, g)
    r.store.removeRecord(APPLYING)
    const dropped = r.store.prune(r.keep)
    pruned = true
    if (r.json)
      out.write(
        outcomesJson(applied.outcomes, applied.summary, applied.diagnostics, {
          machine: machine ?? null,
          generation: g.number,
        }),
      )
    else {
      say(`Applied: ${applySummary(applied.summary, applied.durationMs)}`)
      say(
        `recorded generation ${g.number}${describe(g)}${dropped.length ? ` (dropped ${dropped.join(', ')})` : ''}`,
      )
    }
    const failed = applied.summary.failed + applied.summary.blocked > 0 || Array.isArray(applied.result)
    if (failed && r.source.kind === 'built') {
      const policy = markers.rollbackOnFailure
      const lasting = applied.outcomes.filter(
        (o) => o.change !== 'no-op' && o.status === 'ok' && !UNDONE.has(o.fun),
      )
      seen.failed = { ...(last ? { previous: last.number } : {}), policy, lasting }
    }
    return failed ? 1 : 0
  } finally {
    discardWarmSalt()
    run.remove()
    if (!pruned) r.store.prune(r.keep)
    lock.release()
  }
}

/** Prints the plan (or the drift): per state, diagnostics, summary; as JSON when `json` is given. */
function showPlan(
  r: ApplyRequest,
  plan: TreeRun,
  heading: string,
  json: Record<string, unknown> | undefined,
) {
  const errors = Array.isArray(plan.result) ? plan.result.length : 0
  if (r.json) {
    if (json) out.write(outcomesJson(plan.outcomes, plan.summary, plan.diagnostics, json))
    r.report(plan.diagnostics)
    return
  }
  say(`${heading}:`)
  out.write(formatOutcomes(plan.outcomes, { color: out.isTTY === true, all: false }))
  r.report(plan.diagnostics)
  say(`${heading.startsWith('drift') ? 'Drift' : 'Plan'}: ${planSummary(plan.summary, errors)}`)
}

/** Not a terminal and no --yes: nothing is applied without a yes. */
export function refuse(): number {
  process.stderr.write(
    'refusing to apply without confirmation: stdin is not a terminal; pass --yes to apply anyway\n',
  )
  return 2
}

function recordKind(s: TreeSource): GenerationMeta['kind'] {
  if (s.kind === 'built') return 'apply'
  return s.as === 'rollback' ? 'rollback' : 'fix'
}

/** The dotfiles generation `n` wrote, with their hashes right after its apply. */
function readWritten(store: GenerationStore, n: number): WrittenFile[] {
  const g = store.generation(n)
  if (g === undefined) return []
  try {
    return JSON.parse(readFileSync(join(g.dir, 'files.json'), 'utf8')) as WrittenFile[]
  } catch {
    return []
  }
}

/**
 * The dotfiles this apply wrote, hashed now. A file the user edited and the run kept keeps the
 * hash salt-dsl wrote, so it stays "modified locally" until forced or the edit is undone.
 */
function writtenAfter(
  applied: TreeRun,
  overlay: RunOverlay,
  force: boolean,
  last: readonly WrittenFile[],
): WrittenFile[] {
  if (Array.isArray(applied.result)) return [...last]
  const kept = new Map(overlay.edits.filter((e) => e.policy === 'keep' && !force).map((e) => [e.id, e]))
  const files = writtenDotfiles(applied.result as Record<string, SaltStateReturn>)
  const hashes = fileHashes(files.filter((f) => !kept.has(f.id)).map((f) => f.name))
  const out: WrittenFile[] = []
  for (const f of files) {
    const k = kept.get(f.id)
    const sha256 = k?.sha256 ?? hashes.get(f.name)
    if (sha256 !== undefined) out.push({ id: f.id, name: f.name, sha256 })
  }
  // a file this run did not touch (--changed, a kept edit of a pruned file) keeps its record
  for (const w of last) if (!out.some((f) => f.id === w.id) && !files.some((f) => f.id === w.id)) out.push(w)
  // a kept edit of a pruned file stays recorded too: it is still the user's
  for (const k of kept.values())
    if (!out.some((f) => f.id === k.id)) out.push({ id: k.id, name: k.name, sha256: k.sha256 })
  return out
}

/** The last drift check, as the status report reads it: `<store>/drift.json`. */
function recordDrift(store: GenerationStore, plan: TreeRun, generation: number, machine: string | undefined) {
  const errors = Array.isArray(plan.result) ? plan.result.map(String) : []
  store.writeRecord('drift', {
    time: new Date().toISOString(),
    generation,
    machine: machine ?? null,
    drift: changesAnything(plan.summary),
    summary: plan.summary,
    errors,
    states: plan.outcomes
      .filter((o) => o.change !== 'no-op' || o.status === 'failed')
      .map((o) => ({
        id: o.id,
        function: o.fun,
        name: o.name,
        change: o.change,
        status: o.status,
        ...(o.origin ? { file: o.origin.file, line: o.origin.line } : {}),
      })),
  })
}

/** Migrations this apply ran with every state ok: recorded, so later runs leave them out. */
function logMigrations(store: GenerationStore, overlay: RunOverlay, applied: TreeRun, g: GenerationMeta) {
  if (overlay.due.length === 0) return
  const log = store.readRecord<MigrationLog>('migrations') ?? {}
  for (const m of overlay.due) {
    const mine = applied.outcomes.filter((o) => o.sls === m.sls)
    if (mine.length > 0 && mine.every((o) => o.status === 'ok'))
      log[m.sls] = { hash: m.hash, generation: g.number, time: g.time }
  }
  store.writeRecord('migrations', log)
}

function record(
  r: ApplyRequest,
  run: { tree: string; scratch: string; remove(): void },
  tree: string,
  project: string,
  machine: string | undefined,
  result: TreeRun,
  from: GenerationMeta | undefined,
  extra: Readonly<Record<string, unknown>> = {},
): GenerationMeta {
  const revision = r.source.kind === 'built' ? r.source.revision : from?.revision
  return r.store.record(
    run,
    {
      time: new Date().toISOString(),
      kind: recordKind(r.source),
      ...(r.source.kind === 'generation' ? { of: r.source.number } : {}),
      ...(machine !== undefined ? { machine } : {}),
      ...(revision ? { revision } : {}),
      project,
      user: currentUser(),
      tree,
      summary: result.summary,
      durationMs: result.durationMs,
      saltCode: result.code,
    },
    result.result,
    extra,
  )
}

const describe = (g: GenerationMeta) =>
  g.kind === 'rollback' ? ` (rollback of ${g.of})` : g.kind === 'fix' ? ` (drift fix of ${g.of})` : ''
