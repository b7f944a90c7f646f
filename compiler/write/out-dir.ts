// The layout of an emitted tree on disk. `out` is a symbolic link to a complete generation kept beside
// it, `.<name>.d/gen-<n>`; a build writes a new generation and switches the link with one rename(2), so
// a reader of out/ (salt-call, a master's file server) sees the old tree or the new one, never a mix and
// never no tree. `.<name>.d/` also holds the build lock (`lock-<pid>-<start>`), staging directories
// (`new-<pid>-<start>-<n>`) and the link being switched in (`link-<pid>-<start>`).
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { type Diagnostic, error } from '../diagnostics.ts'
import { isAlive, SELF } from '../process-id.ts'
import { type TreeCheck, verifyTree } from './verify-tree.ts'

/** Where a tree lives: the path readers use, and the directory of its generations. */
export interface OutPaths {
  /** The path given (after following links the user made), which becomes our link. */
  readonly out: string
  /** `.<name>.d` beside it. */
  readonly state: string
}

export const pathsOf = (out: string): OutPaths => ({
  out,
  state: join(dirname(out), `.${basename(out)}.d`),
})

const GEN = /^gen-(\d+)$/
const OWNED = /^(?:new|link|lock)-(\d+-\d*)(?:-\d+)?$/

/** The link's target for generation `n` (relative: the project can be moved or copied whole). */
export const linkTarget = (paths: OutPaths, n: number) => `${basename(paths.state)}/gen-${n}`

/** The generation `out` links to, if it is our link. */
export function currentGeneration(paths: OutPaths): number | undefined {
  let target: string
  try {
    target = readlinkSync(paths.out)
  } catch {
    return undefined
  }
  const m = target.match(/^([^/]+)\/gen-(\d+)$/)
  return m !== null && m[1] === basename(paths.state) ? Number(m[2]) : undefined
}

/**
 * The path to manage for `--out`: a link the user made is followed (to the directory, or the place for
 * one, it names), ours is not; a link that leads nowhere is refused.
 */
export function resolveOut(given: string): { value?: string; diagnostics: Diagnostic[] } {
  let path = resolve(given)
  for (let hops = 0; hops < 40; hops++) {
    const stat = lstatSync(path, { throwIfNoEntry: false })
    if (stat === undefined) {
      if (hops === 0) return { value: path, diagnostics: [] }
      return refuse(
        'DSL5011',
        `--out ${given} is a symbolic link to ${path}, which does not exist`,
        'create the directory it points to, or remove the link (a new out/ is then made there)',
      )
    }
    if (!stat.isSymbolicLink() || currentGeneration(pathsOf(path)) !== undefined)
      return { value: path, diagnostics: [] }
    path = resolve(dirname(path), readlinkSync(path))
  }
  return refuse('DSL5011', `--out ${given} is a loop of symbolic links`, 'point --out at a directory')
}

/** What `out` holds now, and so what a build may do with it. */
export type OutState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ours'; readonly generation: number; readonly mode: number }
  /** A plain directory: empty, or a whole tree an older salt-dsl wrote (moved into the generations). */
  | { readonly kind: 'directory'; readonly mode: number }

/** Inspects `out` (under the lock); a diagnostic when it must not be replaced. */
export function inspectOut(paths: OutPaths): { value?: OutState; diagnostics: Diagnostic[] } {
  const stat = lstatSync(paths.out, { throwIfNoEntry: false })
  if (stat === undefined) return { value: { kind: 'absent' }, diagnostics: [] }
  const generation = currentGeneration(paths)
  if (generation !== undefined) {
    const dir = join(paths.state, `gen-${generation}`)
    const target = statSync(dir, { throwIfNoEntry: false })
    // our link to a generation that is gone: nothing of the user's is there to keep
    if (target === undefined) return { value: { kind: 'absent' }, diagnostics: [] }
    // the link was made once the generation was whole: a file changed since is newer than it
    const check = verifyTree(dir, lstatSync(paths.out).mtimeMs)
    const problem = userFiles(paths.out, check)
    if (problem !== undefined) return { diagnostics: [problem] }
    return { value: { kind: 'ours', generation, mode: target.mode & 0o7777 }, diagnostics: [] }
  }
  if (!stat.isDirectory())
    return refuse('DSL5012', `${paths.out} exists and is not a directory`, 'remove it or pick another --out')
  const mode = stat.mode & 0o7777
  if (readdirSync(paths.out).length === 0) return { value: { kind: 'directory', mode }, diagnostics: [] }
  const check = verifyTree(paths.out)
  if (!check.manifest)
    return refuse(
      'DSL5012',
      `${paths.out} is not empty and holds no salt-dsl manifest.json: refusing to replace it`,
      'remove it or pick another --out',
    )
  const problem = userFiles(paths.out, check)
  if (problem !== undefined) return { diagnostics: [problem] }
  return { value: { kind: 'directory', mode }, diagnostics: [] }
}

/** A refusal naming what in `out` salt-dsl did not write, or wrote otherwise. */
export function userFiles(out: string, check: TreeCheck): Diagnostic | undefined {
  if (check.foreign.length === 0 && check.changed.length === 0) return undefined
  const name = (paths: readonly string[]) =>
    paths
      .slice(0, 5)
      .map((p) => join(out, p))
      .join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '')
  const parts = [
    ...(check.foreign.length > 0 ? [`holds what salt-dsl did not write: ${name(check.foreign)}`] : []),
    ...(check.changed.length > 0 ? [`has files edited since it was written: ${name(check.changed)}`] : []),
  ]
  return error('DSL5013', `${out} ${parts.join('; ')}: refusing to replace it`, undefined, {
    hint: 'move them out of the tree (each build replaces it whole), or remove the tree to start afresh',
  })
}

/**
 * Takes the build lock of `paths`: one build or watch writes a tree at a time. Each contender writes its
 * own `lock-<pid>-<start>` and then looks for others; a live one makes it back off (two that start at
 * the same instant may both back off, never both proceed). A dead process's lock is removed, so a kill -9
 * leaves nothing that stops the next build.
 */
export function acquireLock(paths: OutPaths): {
  value?: () => void
  /** Undoes the lock and `.<name>.d/` itself when this made it (a build refused leaves nothing). */
  undo?: () => void
  diagnostics: Diagnostic[]
} {
  const made = lstatSync(paths.state, { throwIfNoEntry: false }) === undefined
  mkdirSync(paths.state, { recursive: true, mode: 0o755 })
  // a link planted in its place would take every write elsewhere
  if (!lstatSync(paths.state).isDirectory())
    return refuse(
      'DSL5012',
      `${paths.state} is not a directory`,
      `remove it: salt-dsl keeps ${basename(paths.out)}/'s generations there`,
    )
  ignoredByGit(paths.state)
  const own = join(paths.state, `lock-${SELF}`)
  writeFileSync(own, `${process.pid}\n`)
  const release = () => rmSync(own, { force: true })
  for (const name of readdirSync(paths.state)) {
    const m = name.match(OWNED)
    if (m === null || !name.startsWith('lock-') || m[1] === SELF) continue
    const owner = m[1] ?? ''
    if (isAlive(owner)) {
      release()
      return refuse(
        'DSL5014',
        `another dsl build (pid ${owner.split('-')[0]}) is writing ${paths.out}`,
        'wait for it to finish (a `dsl build --watch` holds the tree until it is stopped)',
      )
    }
    rmSync(join(paths.state, name), { force: true })
  }
  const undo = () => {
    release()
    if (!made) return
    rmSync(join(paths.state, '.gitignore'), { force: true })
    try {
      rmdirSync(paths.state)
    } catch {
      // something else is in it now: left as it is
    }
  }
  return { value: release, undo, diagnostics: [] }
}

/** `.<name>.d/` holds nothing to commit: a `.gitignore` of its own says so to git. */
function ignoredByGit(state: string): void {
  const file = join(state, '.gitignore')
  if (lstatSync(file, { throwIfNoEntry: false }) === undefined) writeFileSync(file, '*\n')
}

/** The generations kept in `.<name>.d/`, in order. */
export function generations(paths: OutPaths): number[] {
  let names: string[]
  try {
    names = readdirSync(paths.state)
  } catch {
    return []
  }
  const found: number[] = []
  for (const name of names) {
    const m = name.match(GEN)
    if (m !== null) found.push(Number(m[1]))
  }
  return found.sort((a, b) => a - b)
}

/**
 * Removes what dead builds left (staging directories, links being switched in, locks) and every
 * generation but `keep`; never an entry of a live process, never a name that is not ours.
 */
export function removeStale(paths: OutPaths, keep: ReadonlySet<number>): string[] {
  const doomed: string[] = []
  let names: string[]
  try {
    names = readdirSync(paths.state)
  } catch {
    return doomed
  }
  for (const name of names) {
    const gen = name.match(GEN)
    if (gen !== null) {
      if (!keep.has(Number(gen[1]))) doomed.push(join(paths.state, name))
      continue
    }
    const owned = name.match(OWNED)
    if (owned !== null && owned[1] !== SELF && !isAlive(owned[1] ?? '')) doomed.push(join(paths.state, name))
  }
  return doomed
}

/** Removes a path without following a link anywhere inside it. */
export function removeEntry(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false })
  if (stat === undefined) return
  if (stat.isDirectory()) rmSync(path, { recursive: true, force: true })
  else unlinkSync(path)
}

function refuse(code: string, message: string, hint: string): { diagnostics: Diagnostic[] } {
  return { diagnostics: [error(code, message, undefined, { hint })] }
}
