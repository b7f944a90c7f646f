import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { type Diagnostic, error, hasErrors, type StageResult } from '../diagnostics.ts'
import type { Tree } from '../emit/emit-tree.ts'
import { cleanupOnExit } from '../exit-cleanup.ts'
import { SELF } from '../process-id.ts'
import { DIR_MODE, linkFrom, recycle, same, sameBytes, type Written } from './next-generation.ts'
import {
  acquireLock,
  currentGeneration,
  generations,
  inspectOut,
  linkTarget,
  type OutPaths,
  type OutState,
  pathsOf,
  removeStale,
  resolveOut,
  userFiles,
} from './out-dir.ts'
import { verifyNames } from './verify-tree.ts'
import { drained, startWriter, writeFiles } from './write-files.ts'

/**
 * The mode of each file that is not the default 0644 (a file shipped from an owner-only source is
 * 0600, 0700 if executable; an executable one 0755). Directories are 0755; the tree's root keeps the
 * mode of the tree it replaces (0755 for a new one).
 */
export type Modes = ReadonlyMap<string, number>

/**
 * A tree being written: files `put` during emit go to a writer thread (so the file system's latency
 * overlaps emit instead of following it), into a staging directory; `commit` writes the rest, waits, and
 * switches `out` to it; `discard` leaves `out` as it was.
 */
export interface StagedTree {
  /** A file of the default mode, written meanwhile. */
  put(path: string, data: string | Uint8Array): void
  commit(tree: Tree, modes?: Modes): Promise<StageResult<undefined>>
  discard(): Promise<void>
}

/** An out/ held for writing (the build lock is taken): written whole, or from the last tree (watch). */
export interface OutTree {
  readonly paths: OutPaths
  /** A new generation written whole (a build). */
  stage(): StagedTree
  /**
   * The next generation from the last one this wrote (watch mode): unchanged files are hard links to
   * the last generation's, only changed ones are written. `changed` lists the files written or removed;
   * `whole` says why the tree was written whole instead, if it was.
   */
  update(tree: Tree, modes?: Modes): Promise<StageResult<{ changed: string[]; whole?: string } | undefined>>
  /** Whether `out` still links to the last generation this wrote. */
  isCurrent(): boolean
  /** Releases the lock (and waits for old generations being removed). */
  close(): Promise<void>
}

/** Opens `out` for writing: follows a link the user made, takes the lock, refuses what it must not replace. */
export async function openOut(given: string): Promise<StageResult<OutTree | undefined>> {
  const resolved = resolveOut(given)
  if (resolved.value === undefined) return { value: undefined, diagnostics: resolved.diagnostics }
  const paths = pathsOf(resolved.value)
  let lock: ReturnType<typeof acquireLock> | undefined
  try {
    lock = acquireLock(paths)
    if (lock.value === undefined) return { value: undefined, diagnostics: lock.diagnostics }
    const inspected = inspectOut(paths)
    if (inspected.value === undefined) {
      ;(lock.undo ?? lock.value)()
      return { value: undefined, diagnostics: inspected.diagnostics }
    }
    return { value: new OutWriter(paths, inspected.value, lock.value), diagnostics: [] }
  } catch (thrown) {
    // a directory that cannot be made or read (permissions, a full disk): said, not a crash
    lock?.undo?.()
    return { value: undefined, diagnostics: [cannotWrite(paths, thrown)] }
  }
}

/** Writes a whole tree to `out` (throws when `out` must not be replaced). */
export async function writeTreeAtomic(out: string, tree: Tree, modes?: Modes): Promise<void> {
  const opened = await openOut(out)
  if (opened.value === undefined) throw new WriteRefused(messageOf(opened.diagnostics))
  try {
    const committed = await opened.value.stage().commit(tree, modes)
    if (hasErrors(committed.diagnostics)) throw new WriteRefused(messageOf(committed.diagnostics))
  } finally {
    await opened.value.close()
  }
}

/** Thrown by writeTreeAtomic when `out` holds something that is not a salt-dsl tree. */
export class WriteRefused extends Error {}

const messageOf = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n')

class OutWriter implements OutTree {
  /** The last tree this wrote, and its generation (watch mode builds the next one from it). */
  #last: (Written & { generation: number }) | undefined
  #previous: (Written & { generation: number }) | undefined
  #spare: (Written & { generation: number }) | undefined
  #staged = 0
  /** Staging directories and writer threads not yet committed or discarded (for a signal's cleanup). */
  readonly #open = new Map<string, () => Promise<void>>()
  /** Old generations being removed. */
  #removing: Promise<void> = Promise.resolve()
  readonly #gone = new Set<string>()
  readonly #unregister: () => void

  constructor(
    readonly paths: OutPaths,
    private state: OutState,
    private readonly unlock: () => void,
  ) {
    fixedModes()
    // a dead build's staging and links go now; its generations once this one is switched in
    for (const path of removeStale(paths, new Set(generations(paths))))
      rmSync(path, { recursive: true, force: true })
    const release = () => {
      for (const staging of this.#open.keys()) rmSync(staging, { recursive: true, force: true })
      rmSync(join(paths.state, `link-${SELF}`), { force: true })
      this.unlock()
    }
    this.#unregister = cleanupOnExit(async (atExit) => {
      // stopped by a signal: the writer threads first, so none writes into a staging dir once it is gone
      if (!atExit) await Promise.allSettled([...this.#open.values()].map((discard) => discard()))
      release()
    })
  }

  stage(): StagedTree {
    const staging = this.#newStaging().path
    let writer: Worker | undefined
    const sent = new Set<string>()
    const discard = async () => {
      await writer?.terminate()
      writer = undefined
      rmSync(staging, { recursive: true, force: true })
      this.#open.delete(staging)
    }
    this.#open.set(staging, discard)
    const put = (path: string, data: string | Uint8Array) => {
      writer ??= startWriter(staging)
      sent.add(path)
      writer.postMessage([path, data])
    }
    return {
      put,
      commit: async (tree, modes = new Map()) => {
        try {
          const rest: Tree = new Map([...tree].filter(([path]) => !sent.has(path)))
          await Promise.all([writeFiles(staging, rest, modes), writer ? drained(writer) : undefined])
          await writer?.terminate()
          writer = undefined
          await this.#switchTo(staging, tree, modes)
          return { value: undefined, diagnostics: [] }
        } catch (thrown) {
          await discard()
          return { value: undefined, diagnostics: [cannotWrite(this.paths, thrown)] }
        }
      },
      discard,
    }
  }

  async update(
    tree: Tree,
    modes: Modes = new Map(),
  ): Promise<StageResult<{ changed: string[]; whole?: string } | undefined>> {
    try {
      return await this.#update(tree, modes)
    } catch (thrown) {
      // out/ unreadable since (its checks read it): said, and the watch goes on
      return { value: undefined, diagnostics: [cannotWrite(this.paths, thrown)] }
    }
  }

  async #update(
    tree: Tree,
    modes: Modes,
  ): Promise<StageResult<{ changed: string[]; whole?: string } | undefined>> {
    const last = this.#last
    let whole: string | undefined
    if (last !== undefined && !this.isCurrent()) {
      // out/ was removed or replaced since: look again at what is there now, then write it whole
      const inspected = inspectOut(this.paths)
      if (inspected.value === undefined) return { value: undefined, diagnostics: inspected.diagnostics }
      this.state = inspected.value
      this.#last = undefined
      whole = `${this.paths.out} was removed or replaced: wrote the whole tree again`
    }
    const from = this.#last
    if (from === undefined) {
      const committed = await this.stage().commit(tree, modes)
      if (hasErrors(committed.diagnostics)) return { value: undefined, diagnostics: committed.diagnostics }
      return { value: { changed: [...tree.keys()], ...(whole ? { whole } : {}) }, diagnostics: [] }
    }
    const current = join(this.paths.state, `gen-${from.generation}`)
    const problem = userFiles(this.paths.out, verifyNames(current, from.tree))
    if (problem !== undefined) return { value: undefined, diagnostics: [problem] }
    const next: Written = { tree, modes }
    // the generation before the previous one, if this wrote it: no reader is left on it, and it differs
    // from the new tree by a few files, so it is taken out of the generations and brought up to date
    const spare = this.#spare
    this.#spare = undefined
    const spareDir = spare && join(this.paths.state, `gen-${spare.generation}`)
    const staging = this.#newStaging(spareDir !== undefined && existsSync(spareDir) ? spareDir : undefined)
    const discard = async () => {
      rmSync(staging.path, { recursive: true, force: true })
      this.#open.delete(staging.path)
    }
    this.#open.set(staging.path, discard)
    try {
      if (staging.recycled && spare !== undefined) recycle(staging.path, spare, next)
      else linkFrom(staging.path, current, from, next)
      await this.#switchTo(staging.path, tree, modes)
    } catch (thrown) {
      await discard()
      return { value: undefined, diagnostics: [cannotWrite(this.paths, thrown)] }
    }
    const changed = [...tree.keys()].filter((path) => !same(from, next, path))
    for (const path of from.tree.keys()) if (!tree.has(path)) changed.push(path)
    return { value: { changed }, diagnostics: [] }
  }

  isCurrent(): boolean {
    const last = this.#last
    return (
      last !== undefined &&
      currentGeneration(this.paths) === last.generation &&
      existsSync(join(this.paths.state, `gen-${last.generation}`))
    )
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open.values()].map((discard) => discard()))
    await this.#removing
    this.#unregister()
    this.unlock()
  }

  /** A new staging directory: made empty, or an old generation renamed to it (`recycled`). */
  #newStaging(from?: string): { path: string; recycled: boolean } {
    fixedModes()
    const path = join(this.paths.state, `new-${SELF}-${this.#staged++}`)
    if (from !== undefined) {
      try {
        renameSync(from, path)
        return { path, recycled: true }
      } catch {
        // gone meanwhile: made afresh
      }
    }
    mkdirSync(path, { mode: DIR_MODE })
    return { path, recycled: false }
  }

  /**
   * Makes the complete tree in `staging` the current generation: renamed to `gen-<n>`, then `out`
   * switched to it by renaming a new link over it (one rename(2): a reader finds the old tree or the new
   * one). Keeps the generation before it, for a reader still on it; removes the older ones.
   */
  async #switchTo(staging: string, tree: Tree, modes: Modes): Promise<void> {
    const { paths, state } = this
    const known = generations(paths)
    let n = Math.max(0, ...known, state.kind === 'ours' ? state.generation : 0) + 1
    // a tree an older salt-dsl wrote as a plain directory becomes the generation before this one
    const adopt = state.kind === 'directory' && !isEmptyDir(paths.out) ? n++ : undefined
    chmodSync(staging, state.kind === 'absent' ? DIR_MODE : state.mode)
    const gen = join(paths.state, `gen-${n}`)
    renameSync(staging, gen)
    this.#open.delete(staging)
    const link = join(paths.state, `link-${SELF}`)
    rmSync(link, { force: true })
    symlinkSync(linkTarget(paths, n), link)
    await pauseForTests()
    if (state.kind === 'directory') {
      if (adopt !== undefined) renameSync(paths.out, join(paths.state, `gen-${adopt}`))
      else rmdirSync(paths.out)
    }
    renameSync(link, paths.out)
    const previous = adopt ?? (state.kind === 'ours' ? state.generation : undefined)
    this.state = { kind: 'ours', generation: n, mode: state.kind === 'absent' ? DIR_MODE : state.mode }
    // the trees of the generations this wrote: the one before the previous is recycled by the next update
    const before = this.#last
    this.#spare = before !== undefined && before.generation !== previous ? undefined : this.#previous
    this.#previous = before
    this.#last = { tree, modes, generation: n }
    const keep = new Set([n, ...(previous !== undefined ? [previous] : [])])
    if (this.#spare !== undefined) keep.add(this.#spare.generation)
    const doomed = removeStale(paths, keep).filter((path) => !this.#gone.has(path))
    for (const path of doomed) this.#gone.add(path)
    // on the thread pool, after the switch: the new tree is in place already
    this.#removing = this.#removing.then(() =>
      Promise.all(
        doomed.map((path) => rm(path, { recursive: true, force: true }).catch(() => undefined)),
      ).then(() => {
        for (const path of doomed) this.#gone.delete(path)
      }),
    )
  }
}

/** Modes come out as given (0644, 0755, 0600), whatever the umask the build was started with. */
function fixedModes(): void {
  try {
    process.umask(0o022)
  } catch {
    // a worker thread cannot set it (and writes no tree)
  }
}

/** A test's hook: a pause just before the switch, so a test can stop the build in it. */
async function pauseForTests(): Promise<void> {
  const ms = Number(process.env.DSL_TEST_PAUSE_BEFORE_SWAP_MS)
  if (!Number.isFinite(ms) || ms <= 0) return
  process.stderr.write('pausing before the switch\n')
  await new Promise((done) => setTimeout(done, ms))
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0
  } catch {
    return false
  }
}

function cannotWrite(paths: OutPaths, thrown: unknown): Diagnostic {
  const why = thrown instanceof Error ? thrown.message : String(thrown)
  return error('DSL5015', `cannot write the tree ${paths.out}: ${why}`, undefined, {
    hint: `the previous tree is still in place; ${paths.out} and ${paths.state} must be writable`,
  })
}

export { sameBytes }

/** Reads a tree back (for tests and `dsl show`). */
export function readTreeFile(out: string, path: string): string | undefined {
  const file = join(out, path)
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined
}
