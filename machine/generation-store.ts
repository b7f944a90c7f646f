import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeWhole } from '../compiler/write/write-whole.ts'
import type { GitRevision } from './git-revision.ts'
import { processesNaming } from './orphans.ts'
import type { Summary } from './state-outcomes.ts'
import { type StoreLock, takeLock } from './store-lock.ts'

/** What a generation records besides its tree and Salt's result. */
export interface GenerationMeta {
  readonly number: number
  /** ISO time the apply finished. */
  readonly time: string
  /** `rollback` applied generation `of`'s tree again; `fix` re-applied it after drift. */
  readonly kind: 'apply' | 'rollback' | 'fix'
  readonly of?: number
  /** The minion id given with `--machine` (none: this host's own). */
  readonly machine?: string
  readonly revision?: GitRevision
  /** The project root the manifest's source paths are relative to. */
  readonly project: string
  readonly user: string
  /** The tree's content hash: the same config built twice gives the same hash. */
  readonly tree: string
  readonly summary: Summary
  readonly durationMs: number
  /** salt-call's exit status. */
  readonly saltCode: number
}

/** A run's private space in the store: the tree Salt reads, and Salt's config, cache and temp files. */
export interface RunSpace {
  readonly tree: string
  readonly scratch: string
  remove(): void
}

export const DEFAULT_KEEP = 10

/** `DSL_STATE_DIR`, else /var/lib/salt-dsl for root, else `$XDG_STATE_HOME/salt-dsl` (~/.local/state). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DSL_STATE_DIR) return env.DSL_STATE_DIR
  if (process.getuid?.() === 0) return '/var/lib/salt-dsl'
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'salt-dsl')
}

/**
 * The generation store. Layout:
 *
 *   objects/ab/<sha256>   every file of every kept tree, once (read-only)
 *   generations/<n>/      a complete generation: meta.json, result.json, manifest.json, tree/ (hard
 *                         links into objects/)
 *   generations/.stage-*  one being written; renamed to its number when complete
 *   runs/*                the tree and Salt's scratch space of a run in progress
 *   lock                  held by the one run that may write
 *
 * A kill at any point leaves complete generations and debris under dot-names and runs/, which the next
 * run that takes the lock removes; objects no generation links to go at the next prune.
 */
export class GenerationStore {
  readonly #generations: string
  readonly #objects: string
  readonly #runs: string

  readonly dir: string

  constructor(dir: string) {
    this.dir = dir = resolve(dir)
    this.#generations = join(dir, 'generations')
    this.#objects = join(dir, 'objects')
    this.#runs = join(dir, 'runs')
  }

  /** The complete generations, oldest first. */
  list(): GenerationMeta[] {
    if (!existsSync(this.#generations)) return []
    const out: GenerationMeta[] = []
    for (const name of readdirSync(this.#generations)) {
      if (!/^\d+$/.test(name)) continue
      const meta = this.#readMeta(Number(name))
      if (meta !== undefined) out.push(meta)
    }
    return out.sort((a, b) => a.number - b.number)
  }

  /** Generation `n`: its record and the directory of its tree. */
  generation(n: number): { meta: GenerationMeta; tree: string; result: string; dir: string } | undefined {
    const meta = this.#readMeta(n)
    if (meta === undefined) return undefined
    const dir = join(this.#generations, String(n))
    return { meta, tree: join(dir, 'tree'), result: join(dir, 'result.json'), dir }
  }

  /** A JSON record of the store itself (what ran once on this machine), or undefined. */
  readRecord<T>(name: string): T | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, `${name}.json`), 'utf8')) as T
    } catch {
      return undefined
    }
  }

  removeRecord(name: string): void {
    rmSync(join(this.dir, `${name}.json`), { force: true })
  }

  /** Writes a store record whole (temp, sync, rename): a kill leaves the old one or the new. */
  writeRecord(name: string, data: unknown): void {
    const file = join(this.dir, `${name}.json`)
    writeWhole(file, `${JSON.stringify(data, null, 2)}\n`, { sync: true })
  }

  #readMeta(n: number): GenerationMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.#generations, String(n), 'meta.json'), 'utf8'))
    } catch {
      return undefined // pruned meanwhile
    }
  }

  /** Takes the store's lock and clears what an interrupted run left behind. */
  async lock(onWait: (why: string) => void): Promise<StoreLock> {
    // the trees hold pillar data and Salt's results hold diffs of users' files: for the owner only
    for (const dir of [this.#generations, this.#objects, this.#runs]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      chmodSync(dir, 0o700)
    }
    const lock = await takeLock(join(this.dir, 'lock'), onWait)
    // a killed run's salt-calls outlive it (it may have died before noting their pid in the lock): they
    // still read and write its run space, so that space goes only once they have finished
    for (let told = false; ; told = true) {
      const left = processesNaming(`${this.#runs}/`)
      if (left.length === 0) break
      if (!told) onWait(`waiting for the salt-call (pid ${left.join(', ')}) of an interrupted run to finish`)
      await sleep(200)
    }
    for (const name of readdirSync(this.#generations))
      if (name.startsWith('.')) rmSync(join(this.#generations, name), { recursive: true, force: true })
    for (const name of readdirSync(this.#runs))
      rmSync(join(this.#runs, name), { recursive: true, force: true })
    // a store record whose write was cut short (the record itself is the old one or the new)
    for (const name of readdirSync(this.dir))
      if (/\.json\.tmp-\d+$/.test(name)) rmSync(join(this.dir, name), { force: true })
    return lock
  }

  /** A fresh run space (call with the lock held). */
  newRun(): RunSpace {
    const dir = join(this.#runs, `${process.pid}-${randomBytes(4).toString('hex')}`)
    const tree = join(dir, 'tree')
    mkdirSync(tree, { recursive: true })
    return { tree, scratch: join(dir, 'salt'), remove: () => rmSync(dir, { recursive: true, force: true }) }
  }

  /**
   * Puts the built tree `out` into the store (each file once in objects/) and links it into the run's
   * tree; returns the tree's hash. `minion.d/` is left out: it names `out`, not the stored tree.
   */
  importTree(out: string, run: RunSpace): string {
    const entries: string[] = []
    // out/ may be a link the next build switches: read the one tree it names now
    const root = realpathSync(out)
    for (const path of walk(root)) {
      if (path.startsWith('minion.d/')) continue
      const data = readFileSync(join(root, path))
      const hash = createHash('sha256').update(data).digest('hex')
      const object = join(this.#objects, hash.slice(0, 2), hash)
      if (!existsSync(object)) {
        mkdirSync(dirname(object), { recursive: true })
        writeWhole(object, data, { mode: 0o444 })
      }
      place(object, join(run.tree, path))
      entries.push(`${path}\0${hash}`)
    }
    return treeHash(entries)
  }

  /** Links generation `n`'s tree into the run's tree; returns its hash. */
  linkGeneration(n: number, run: RunSpace): string {
    const g = this.generation(n)
    if (g === undefined) throw new Error(`no generation ${n}`)
    for (const path of walk(g.tree)) place(join(g.tree, path), join(run.tree, path))
    return g.meta.tree
  }

  /**
   * Records the run as the next generation: staged under a dot-name (its tree moved in, Salt's result and
   * the meta written and synced), then renamed to its number, the one step that makes it exist.
   */
  record(
    run: RunSpace,
    meta: Omit<GenerationMeta, 'number'>,
    result: unknown,
    extra: Readonly<Record<string, unknown>> = {},
  ): GenerationMeta {
    const stage = join(this.#generations, `.stage-${process.pid}-${randomBytes(4).toString('hex')}`)
    mkdirSync(stage)
    renameSync(run.tree, join(stage, 'tree'))
    if (existsSync(join(stage, 'tree', 'manifest.json')))
      linkSync(join(stage, 'tree', 'manifest.json'), join(stage, 'manifest.json'))
    const number = (this.list().at(-1)?.number ?? 0) + 1
    const full: GenerationMeta = { number, ...meta }
    writeSynced(join(stage, 'result.json'), `${JSON.stringify(result)}\n`)
    for (const [name, data] of Object.entries(extra))
      writeSynced(join(stage, `${name}.json`), `${JSON.stringify(data)}\n`)
    writeSynced(join(stage, 'meta.json'), `${JSON.stringify(full, null, 2)}\n`)
    syncDir(stage)
    renameSync(stage, join(this.#generations, String(number)))
    syncDir(this.#generations)
    return full
  }

  /** Keeps the newest `keep` generations; removes the others, then every object no generation links. */
  prune(keep: number): number[] {
    const all = this.list()
    const old = all.slice(0, Math.max(0, all.length - Math.max(1, keep)))
    for (const g of old) {
      // out of the numbered names first: a kill during the removal leaves debris, not half a generation
      const drop = join(this.#generations, `.drop-${g.number}-${randomBytes(4).toString('hex')}`)
      renameSync(join(this.#generations, String(g.number)), drop)
      rmSync(drop, { recursive: true, force: true })
    }
    for (const sub of existsSync(this.#objects) ? readdirSync(this.#objects) : []) {
      const dir = join(this.#objects, sub)
      for (const name of readdirSync(dir)) {
        const file = join(dir, name)
        // an object's only link is its own name: nothing uses it any more (or a write was cut short)
        if (name.includes('.tmp-') || statSync(file).nlink <= 1) rmSync(file, { force: true })
      }
    }
    return old.map((g) => g.number)
  }
}

/** Every regular file under `root`, as sorted relative paths with `/`. */
function walk(root: string): string[] {
  const out: string[] = []
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      const st = lstatSync(path)
      if (st.isDirectory()) visit(path)
      else if (st.isFile()) out.push(relative(root, path).split('\\').join('/'))
      else throw new Error(`${path}: not a regular file (a built tree holds only files)`)
    }
  }
  visit(root)
  return out
}

/** A hard link to the stored file (a copy where the file system will not link it). */
function place(object: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true })
  try {
    linkSync(object, target)
  } catch {
    copyFileSync(object, target)
    chmodSync(target, 0o444)
  }
}

function treeHash(entries: readonly string[]): string {
  const h = createHash('sha256')
  for (const e of [...entries].sort()) h.update(`${e}\n`)
  return h.digest('hex')
}

function writeSynced(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o644)
  try {
    writeFileSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export const currentUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return String(process.getuid?.() ?? '?')
  }
}
