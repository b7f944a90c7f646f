import type { Origin } from '../dsl/ir.ts'
import { type ManifestOrigins, rowOf } from './manifest-origins.ts'

/** What a state does (or would do) to the machine. */
export type Change = 'create' | 'change' | 'remove' | 'no-op'
/** How its run went: ok, failed, blocked by a failed requisite, or not run (an unmet onchanges...). */
export type Status = 'ok' | 'failed' | 'blocked' | 'skipped'

/** One state of Salt's result, at its TypeScript line. */
export interface StateOutcome {
  readonly id: string
  /** `file.managed`. */
  readonly fun: string
  readonly name: string
  readonly sls: string
  readonly change: Change
  readonly status: Status
  readonly comment: string
  /** For a failed command: its exit status and the end of its stderr. */
  readonly detail?: string
  /** Salt's `changes.diff`, unless the state hides it (secret, `show_changes: false`). */
  readonly diff?: string
  readonly diffHidden: boolean
  /** The packages or services it concerns. */
  readonly items: readonly string[]
  readonly origin?: Origin
  readonly durationMs: number
  readonly order: number
}

/** One entry of `state.apply`'s result (`module_|-id_|-name_|-function`). */
export interface SaltStateReturn {
  readonly __id__?: string
  readonly __sls__?: string
  readonly __run_num__?: number
  readonly __state_ran__?: boolean
  readonly name?: unknown
  readonly result: boolean | null
  readonly changes?: Record<string, unknown>
  readonly comment?: unknown
  readonly duration?: number
}

const HIDDEN = '<show_changes=False>'
const REMOVES = /\.(absent|removed|purged|uninstalled)$/
const CREATES =
  /would be installed|set for creation|is set to be (created|added)|set to be added|would be created|will be created|(^| )new file/i

/** Salt's result (the `local` of a `state.apply`), per state in run order. */
export function stateOutcomes(
  result: Readonly<Record<string, SaltStateReturn>>,
  manifest: ManifestOrigins,
): StateOutcome[] {
  const out: StateOutcome[] = []
  for (const [key, r] of Object.entries(result)) {
    const [module = '', keyId = '', keyName = '', fn = ''] = key.split('_|-')
    const id = r.__id__ ?? keyId
    const fun = `${module}.${fn}`
    const row = rowOf(manifest, id, r.__sls__, fun)
    const changes = r.changes ?? {}
    const comment = commentText(r.comment)
    const rawDiff = typeof changes.diff === 'string' ? changes.diff : undefined
    const diffHidden = rawDiff === HIDDEN || row?.secret === true
    const name = typeof r.name === 'string' ? r.name : keyName
    out.push({
      id,
      fun,
      name,
      sls: r.__sls__ ?? row?.sls ?? '',
      change: changeOf(fun, r, changes, comment),
      status: statusOf(r, comment),
      comment,
      ...(r.result === false ? failureDetail(changes) : {}),
      ...(rawDiff !== undefined && !diffHidden ? { diff: rawDiff } : {}),
      diffHidden,
      items: itemsOf(module, name, changes, comment),
      ...(row?.origin ? { origin: row.origin } : {}),
      durationMs: typeof r.duration === 'number' ? r.duration : 0,
      order: r.__run_num__ ?? out.length,
    })
  }
  return out.sort((a, b) => a.order - b.order)
}

function failureDetail(changes: Record<string, unknown>): { detail?: string } {
  if (typeof changes.retcode !== 'number') return {}
  const err =
    typeof changes.stderr === 'string' ? changes.stderr.trim().split('\n').slice(-3).join(' | ') : ''
  return { detail: `exit ${changes.retcode}${err ? `: ${err}` : ''}` }
}

function commentText(c: unknown): string {
  if (typeof c === 'string') return c
  if (Array.isArray(c)) return c.map(String).join('\n')
  return c === undefined || c === null ? '' : JSON.stringify(c)
}

function statusOf(r: SaltStateReturn, comment: string): Status {
  if (r.result === false) return comment.startsWith('One or more requisite failed') ? 'blocked' : 'failed'
  if (r.__state_ran__ === false) return 'skipped'
  return 'ok'
}

function changeOf(
  fun: string,
  r: SaltStateReturn,
  changes: Record<string, unknown>,
  comment: string,
): Change {
  const empty = Object.keys(changes).length === 0
  // test=True says "would change" with result None, often with no changes at all (a cmd, a package)
  if (r.result === false || r.__state_ran__ === false || (empty && r.result === true)) return 'no-op'
  if (REMOVES.test(fun) || 'removed' in changes) return 'remove'
  const created =
    'newfile' in changes ||
    changes.diff === 'New file' ||
    (typeof changes.new === 'string' && fun.endsWith('symlink')) ||
    Object.values(changes).some((v) => isRecord(v) && (v.directory === 'new' || v.old === '')) ||
    CREATES.test(comment)
  return created ? 'create' : 'change'
}

/** Packages for pkg states, services for service states (from Salt's changes or its test comment). */
function itemsOf(module: string, name: string, changes: Record<string, unknown>, comment: string): string[] {
  if (module === 'service') return [name]
  if (module !== 'pkg') return []
  const changed = Object.entries(changes)
    .filter(([, v]) => isRecord(v) && 'new' in v)
    .map(([k]) => k)
  if (changed.length > 0) return changed
  const listed = /packages? (?:would be|are set to be|will be) [a-z/ ]+:\s*(.+)$/im.exec(comment)
  if (listed?.[1])
    return listed[1]
      .split(/,\s*/)
      .map((s) => s.trim())
      .filter(Boolean)
  return [name]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** Counts of an apply or a plan. */
export interface Summary {
  readonly states: number
  readonly create: number
  readonly change: number
  readonly remove: number
  readonly unchanged: number
  readonly failed: number
  readonly blocked: number
  readonly skipped: number
}

export function summarize(outcomes: readonly StateOutcome[]): Summary {
  const count = (p: (o: StateOutcome) => boolean) => outcomes.filter(p).length
  return {
    states: outcomes.length,
    create: count((o) => o.change === 'create'),
    change: count((o) => o.change === 'change'),
    remove: count((o) => o.change === 'remove'),
    unchanged: count((o) => o.change === 'no-op' && o.status === 'ok'),
    failed: count((o) => o.status === 'failed'),
    blocked: count((o) => o.status === 'blocked'),
    skipped: count((o) => o.status === 'skipped'),
  }
}

/** Whether anything would change or did. */
export const changesAnything = (s: Summary): boolean => s.create + s.change + s.remove > 0

/**
 * Salt's result with the diffs of hidden states replaced by Salt's own marker, as it is kept in the
 * store (a secret's diff must not land on disk).
 */
export function redactResult(
  result: Readonly<Record<string, SaltStateReturn>>,
  manifest: ManifestOrigins,
): Record<string, SaltStateReturn> {
  const out: Record<string, SaltStateReturn> = {}
  for (const [key, r] of Object.entries(result)) {
    const [module = '', keyId = '', , fn = ''] = key.split('_|-')
    const id = r.__id__ ?? keyId
    const secret = rowOf(manifest, id, r.__sls__, `${module}.${fn}`)?.secret === true
    out[key] =
      secret && r.changes && typeof r.changes.diff === 'string'
        ? { ...r, changes: { ...r.changes, diff: HIDDEN } }
        : r
  }
  return out
}
