import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { changedStates, requisiteClosure } from './changed-states.ts'
import { fileHashes } from './file-hashes.ts'
import type { GenerationStore } from './generation-store.ts'
import { homeOwner, type LocalEdit, localEdits, type WrittenFile } from './local-edits.ts'
import { type LowChunk, showLowstate } from './lowstate.ts'
import { readManifestOrigins, rowOf, type StateRow } from './manifest-origins.ts'
import { readMarkers } from './markers.ts'
import { type Migration, type MigrationLog, pendingMigrations, treeMigrations } from './migrations.ts'
import { isLabel, prunedIds, prunedInstances, pruneStates } from './prune.ts'
import { saltState } from './salt-state.ts'

/** The SLS of a run's own states (prune, kept edits, left-out migrations); never part of a generation. */
export const RUN_SLS = 'dsl.prune'

/** What a run adds to the tree it applies: a file root searched first, and what it means. */
export interface RunOverlay {
  /** The file root holding the run's top file and `dsl/prune.sls`; undefined: nothing to add. */
  readonly dir?: string
  /** Origins of the run's own states, for the plan's lines. */
  readonly origins: ReadonlyMap<string, StateRow>
  /** Pruned states left on the machine, and why. */
  readonly left: readonly { readonly id: string; readonly fun: string; readonly why: string }[]
  readonly edits: readonly LocalEdit[]
  /** Migrations already run with this body: left out. */
  readonly done: readonly Migration[]
  /** Migrations this run applies. */
  readonly due: readonly Migration[]
  /** Why the run's own states could not be made (the top file is not salt-dsl's). */
  readonly problem?: string
  /** `--changed`: the states whose rendered form differs from the last generation's, and the run's. */
  readonly changed?: { readonly ids: readonly string[]; readonly run: number; readonly total: number }
  /** How many states of its own the run adds (prune, edits). */
  readonly own: number
  /** The last apply was killed before its generation was recorded: edits are not looked for. */
  readonly interrupted?: boolean
  /** The new tree as Salt rendered it for this run (when it was rendered): stored with its generation. */
  readonly lowstate?: StoredLowstate
}

/** A generation's `lowstate.json`: its tree rendered for `machine` when it was applied. */
export interface StoredLowstate {
  readonly machine: string | null
  readonly chunks: readonly LowChunk[]
}

export interface OverlayRequest {
  readonly store: GenerationStore
  /** The run's tree (`salt/`, `pillar/`, `manifest.json`). */
  readonly tree: string
  readonly project: string
  readonly scratch: string
  readonly python: string
  readonly machine: string | undefined
  /** `--force`: overwrite files edited on the machine (after backing them up). */
  readonly force: boolean
  /** `--changed`: run only the states that differ from the last generation, and their requisites. */
  readonly changedOnly?: boolean
}

/**
 * Compares the run's tree with the last generation and writes, for Salt to apply first, the states that
 * undo what the last generation applied and the new tree drops (prune), that keep a file the user edited
 * since the last apply (backed up, then `replace: false`), and the `exclude` of migrations already run.
 */
export async function prepareOverlay(o: OverlayRequest): Promise<RunOverlay> {
  const nextManifest = readManifestOrigins(o.tree, o.project)
  const next = nextManifest.states
  const markers = readMarkers(next.keys())
  const lastMeta = o.store.list().at(-1)
  const last = lastMeta && o.store.generation(lastMeta.number)
  const base = { python: o.python, machine: o.machine }
  const excluded: string[] = []
  const states: Record<string, unknown> = {}
  const origins = new Map<string, StateRow>()

  // the Salt reads this run needs, started at once: the hashes of the files the last apply wrote (local
  // edits), the last tree's rendered states (prune, --changed) and the new tree's (--changed)
  const written = last ? readJson<WrittenFile[]>(join(last.dir, 'files.json')) : undefined
  const hashing = written?.length ? fileHashes(written.map((w) => w.name)) : undefined
  const lastManifest = last ? readManifestOrigins(last.tree, last.meta.project) : undefined
  const before = lastManifest?.states ?? new Map<string, StateRow>()
  const pruned = last ? prunedIds(before, next, markers) : []
  const changing = o.changedOnly === true && last !== undefined
  // the last generation had render-time loops: which of their states the new tree still makes is known
  // only from both trees as Salt renders them for this machine
  const loops = last !== undefined && [...before.keys()].some(isLabel)
  // what the last generation applied, as rendered then: stored with it when its run rendered it (a
  // --changed apply), else Salt renders its stored tree again
  const stored = last ? readJson<StoredLowstate>(join(last.dir, 'lowstate.json')) : undefined
  const lastLow =
    last && (pruned.length > 0 || changing || loops)
      ? stored && stored.machine === (o.machine ?? null) && Array.isArray(stored.chunks)
        ? Promise.resolve<{ chunks: LowChunk[]; error?: string }>({ chunks: [...stored.chunks] })
        : showLowstate({ tree: last.tree, scratch: join(o.scratch, 'last') }, base)
      : undefined
  const nextLow =
    changing || loops
      ? // the apply of what changed follows: its salt-call loads meanwhile
        showLowstate({ tree: o.tree, scratch: join(o.scratch, 'next') }, { ...base, warmNext: changing })
      : undefined

  let edits: LocalEdit[] = []
  // an apply killed after Salt wrote files and before its generation was recorded: those files are its
  // work, not the user's edits
  const interrupted = o.store.readRecord<object>('applying') !== undefined
  if (last && written && hashing && !interrupted) {
    const now = hashing
    edits = localEdits(written, now, (id) => markers.localEdit.get(id) ?? 'keep', last.meta.number)
  }
  const kept = new Set(edits.filter((e) => e.policy === 'keep' && !o.force).map((e) => e.id))

  let only: Set<string> | undefined
  let changed: RunOverlay['changed']
  let lowstate: StoredLowstate | undefined
  const rowIn = (manifest: typeof lastManifest) => (id: string, chunk?: LowChunk) =>
    manifest && rowOf(manifest, id, chunk?.__sls__, chunk ? `${chunk.state}.${chunk.fun}` : '')
  if (loops && nextLow && lastLow) {
    const [now, then] = await Promise.all([nextLow, lastLow])
    // a render that failed says nothing of what is gone: nothing is pruned from it
    if (now.error === undefined && then.error === undefined) {
      const instance = (c: LowChunk) => {
        const row = rowIn(lastManifest)(c.__id__, c)
        return row !== undefined && !before.has(c.__id__)
      }
      pruned.push(...prunedInstances(then.chunks, now.chunks, instance, markers))
    }
  }
  if (changing && nextLow) {
    const [now, then] = await Promise.all([nextLow, lastLow])
    // the files states source count too: an edited asset changes the state that ships it
    const ids = changedStates(now.chunks, then?.chunks ?? [], {
      next: new Map(Object.entries(nextManifest.files ?? {})),
      last: new Map(Object.entries(lastManifest?.files ?? {})),
    })
    only = requisiteClosure(now.chunks, ids)
    const total = new Set(now.chunks.map((c) => c.__id__))
    changed = { ids, run: only.size, total: total.size }
    if (now.error === undefined) lowstate = { machine: o.machine ?? null, chunks: now.chunks }
    for (const id of total) if (!only.has(id)) excluded.push(id)
  }

  // what the last generation applied and the new tree drops
  let left: RunOverlay['left'] = []
  if (pruned.length > 0) {
    const low = (await lastLow) ?? { chunks: [] }
    const lastRow = rowIn(lastManifest)
    const chunkOf = new Map(low.chunks.map((c) => [c.__id__, c]))
    const plan = pruneStates(
      pruned,
      low.chunks,
      (id) => before.get(id) ?? lastRow(id, chunkOf.get(id)),
      markers.prune,
      kept,
    )
    Object.assign(states, plan.states)
    for (const [id, row] of plan.origins) origins.set(id, row)
    left = low.error ? [...plan.left, { id: '*', fun: '', why: low.error }] : plan.left
  }

  for (const e of edits) {
    const backup = `${e.id} (back up local edit)`
    const owner = homeOwner(e.name)
    const inRun = (next.has(e.id) && (only === undefined || only.has(e.id))) || e.id in states
    states[backup] = saltState('cmd', 'run', {
      name: `cp -p -- ${quote(e.name)} ${quote(e.backup)}`,
      unless: `test -e ${quote(e.backup)}`,
      // first of the whole run: an included SLS (a kept edit's extend) would otherwise come before it
      order: 1,
      ...(owner && owner !== 'root' ? { runas: owner } : {}),
      ...(inRun ? { require_in: [{ file: e.id }] } : {}),
    })
    origins.set(backup, { sls: RUN_SLS, fun: 'cmd.run', secret: false, ...originOf(next, e.id) })
  }
  const extend: Record<string, unknown> = {}
  for (const id of kept)
    if (next.has(id) && (only === undefined || only.has(id))) extend[id] = { file: [{ replace: false }] }

  // migrations run once, again when their body changes
  const { done, due } = pendingMigrations(
    treeMigrations(nextManifest.files ?? {}),
    o.store.readRecord<MigrationLog>('migrations') ?? {},
  )

  const own = Object.keys(states).length
  const empty = own === 0 && Object.keys(extend).length === 0 && done.length === 0 && excluded.length === 0
  const result = {
    origins,
    left,
    edits,
    done,
    due,
    own,
    interrupted,
    ...(changed ? { changed } : {}),
    ...(lowstate ? { lowstate } : {}),
  }
  if (empty) return result
  const dir = join(o.scratch, 'overlay')
  const top = readFileSync(join(o.tree, 'salt', 'top.sls'), 'utf8')
  const withRun = top.replace(/^base:[ \t]*\n/m, `base:\n  '.*':\n    - match: pcre\n    - ${RUN_SLS}\n`)
  if (withRun === top) return { ...result, problem: "the top file has no 'base:' line salt-dsl wrote" }
  mkdirSync(join(dir, 'dsl'), { recursive: true })
  writeFileSync(join(dir, 'top.sls'), withRun)
  const includes = [...new Set(Object.keys(extend).map((id) => next.get(id)?.sls ?? ''))].filter(Boolean)
  const sls = {
    ...(includes.length ? { include: includes } : {}),
    ...(done.length || excluded.length
      ? { exclude: [...done.map((m) => ({ sls: m.sls })), ...excluded.map((id) => ({ id }))] }
      : {}),
    ...(Object.keys(extend).length ? { extend } : {}),
    ...states,
  }
  writeFileSync(join(dir, 'dsl', 'prune.sls'), `#!json\n${JSON.stringify(sls, null, 1)}\n`)
  return { ...result, dir }
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

const originOf = (rows: ReadonlyMap<string, StateRow>, id: string) => {
  const origin = rows.get(id)?.origin
  return origin ? { origin } : {}
}

/** A `~user/…` path for the shell: the home expanded, the rest quoted. */
function quote(path: string): string {
  const m = /^(~[A-Za-z0-9_.-]*\/)(.*)$/.exec(path)
  const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`
  return m ? `${m[1]}${q(m[2] ?? '')}` : q(path)
}
