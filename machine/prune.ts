import { shellQuote } from '../dsl/shell.ts'
import type { LowChunk } from './lowstate.ts'
import type { StateRow } from './manifest-origins.ts'
import { isMarker, type Markers } from './markers.ts'
import { saltState } from './salt-state.ts'

/** The suffix of the backup `dotfile()` keeps of what was there before its first change. */
const BACKUP = '.pre-dsl'

/**
 * The IDs the last generation applied that the new tree no longer has (and no `moved()` accounts for).
 * A label Salt renders into IDs (a render-time loop, `${pillar.notes[*].key}_note`) is not an ID: its
 * instances are compared as Salt rendered them, by `prunedInstances`.
 */
export function prunedIds(
  last: ReadonlyMap<string, StateRow>,
  next: ReadonlyMap<string, StateRow>,
  markers: Markers,
): string[] {
  return [...last.keys()].filter(
    (id) => !next.has(id) && !markers.moved.has(id) && !isMarker(id) && !isLabel(id),
  )
}

/** Whether a manifest ID is a label Salt renders (it holds a `${…}` part). */
export const isLabel = (id: string) => id.includes('${')

/**
 * The states a render-time loop made in the last generation that the new tree's render no longer makes
 * (its pillar entry went, or the loop did): `instanceOf` says which rendered IDs a loop made.
 */
export function prunedInstances(
  last: readonly LowChunk[],
  next: readonly LowChunk[],
  instanceOf: (chunk: LowChunk) => boolean,
  markers: Markers,
): string[] {
  const now = new Set(next.map((c) => c.__id__))
  const gone = new Set<string>()
  for (const c of last)
    if (!now.has(c.__id__) && !markers.moved.has(c.__id__) && instanceOf(c)) gone.add(c.__id__)
  return [...gone]
}

/** Salt states that undo pruned states, with the origins (in the last generation's TypeScript) to show. */
export interface PrunePlan {
  /** Highstate data: ID → `{ module: [fun, args] }`. */
  readonly states: Record<string, unknown>
  readonly origins: Map<string, StateRow>
  /** Pruned states left as they are, and why. */
  readonly left: readonly { readonly id: string; readonly fun: string; readonly why: string }[]
}

/**
 * The states that undo what `ids` did, from the last generation's lowstate: a managed file or symlink is
 * removed (`file.absent`) and its `.pre-dsl` backup moved back as its owner; a package is removed
 * (`pkg.removed`) only where the policy says so. `keep` are files the user edited: left in place.
 */
export function pruneStates(
  ids: readonly string[],
  chunks: readonly LowChunk[],
  /** The last generation's manifest row of a state, by its ID as Salt rendered it. */
  rowOf: (id: string) => StateRow | undefined,
  policy: Markers['prune'],
  keep: ReadonlySet<string>,
): PrunePlan {
  const states: Record<string, unknown> = {}
  const origins = new Map<string, StateRow>()
  const left: { id: string; fun: string; why: string }[] = []
  const byId = new Map<string, LowChunk[]>()
  for (const c of chunks) byId.set(c.__id__, [...(byId.get(c.__id__) ?? []), c])
  const origin = (id: string, from: string, fun: string) => {
    const row = rowOf(from)
    origins.set(id, { sls: 'dsl.prune', fun, secret: false, ...(row?.origin ? { origin: row.origin } : {}) })
  }
  for (const id of ids) {
    const row = rowOf(id)
    const fun = row?.fun ?? '?'
    const mine = byId.get(id) ?? []
    if (mine.length === 0) {
      // a marker, a backup command, or a state this machine did not get (a `when`, another machine's)
      if (!fun.startsWith('cmd.') && !fun.startsWith('test.'))
        left.push({ id, fun, why: 'not in the last generation for this machine' })
      continue
    }
    for (const c of mine) {
      const full = `${c.state}.${c.fun}`
      if (full === 'file.managed' || full === 'file.symlink') {
        if (!policy.files) left.push({ id, fun: full, why: 'the prune policy keeps files' })
        else if (keep.has(id)) left.push({ id, fun: full, why: 'edited on this machine: kept' })
        else fileAbsent(id, c, states, origin)
      } else if (full === 'pkg.installed' || full === 'pkg.latest') {
        if (!policy.packages)
          left.push({ id, fun: full, why: 'packages are not removed (prunePolicy({ packages: true }))' })
        else {
          const pkgs = Array.isArray(c.pkgs) ? { pkgs: c.pkgs } : {}
          states[id] = saltState('pkg', 'removed', { name: c.name, ...pkgs })
          origin(id, id, 'pkg.removed')
        }
      } else if (c.state !== 'cmd' && c.state !== 'test') {
        left.push({ id, fun: full, why: 'salt-dsl does not undo this kind of state' })
      }
    }
  }
  return { states, origins, left }
}

function fileAbsent(
  id: string,
  c: LowChunk,
  states: Record<string, unknown>,
  origin: (id: string, from: string, fun: string) => void,
) {
  states[id] = saltState('file', 'absent', { name: c.name })
  origin(id, id, 'file.absent')
  const user = typeof c.user === 'string' ? c.user : undefined
  // the backup sits beside the file: `<name>.pre-dsl`, or a symlink's `backupname` in its directory
  const backup =
    typeof c.backupname === 'string'
      ? `${c.name.slice(0, c.name.lastIndexOf('/') + 1)}${c.backupname}`
      : `${c.name}${BACKUP}`
  const f = shellPath(c.name)
  const b = shellPath(backup)
  const restore = `${id} (restore ${BACKUP})`
  // moved back by its owner, so nothing in a home is written by root; only a regular file
  states[restore] = saltState('cmd', 'run', {
    name: `mv -f -- ${b} ${f}`,
    onlyif: `test -f ${b} && test ! -L ${b} && test ! -e ${f}`,
    ...(user !== undefined && user !== 'root' ? { runas: user } : {}),
    require: [{ file: id }],
  })
  origin(restore, id, 'cmd.run')
}

/** A path for the shell: `~user/` left bare so the shell expands it, the rest quoted. */
function shellPath(path: string): string {
  const home = /^(~[A-Za-z0-9_.-]*)(\/.*)?$/.exec(path)
  if (home === null) return shellQuote(path)
  const rest = (home[2] ?? '').replace(/^\/+/, '')
  return rest === '' ? String(home[1]) : `${home[1]}/${shellQuote(rest)}`
}
