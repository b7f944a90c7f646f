import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, extname, join, relative } from 'node:path'
import { Script } from 'node:vm'
import type { Message, TransformResult } from 'esbuild'
import type { Origin, StateNode } from '../../dsl/ir.ts'
import {
  markSession,
  replaySlice,
  type Session,
  type SessionMark,
  type SessionSlice,
  sliceSession,
} from '../../dsl/session.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { columnBefore, FILE_PARAMETER, insertionsOf, writeCallSites } from './call-sites.ts'
import { readSource } from './read-source.ts'
import {
  BUILTINS,
  EXTENSIONS,
  inNodeModules,
  isConfigModule,
  isLocal,
  type PathMapping,
  readTsconfig,
  resolveImport,
} from './resolve-module.ts'
import { LineIndexedMap } from './source-map.ts'

/**
 * The config's modules, each compiled on its own (TypeScript to CommonJS by esbuild) and run by a small
 * module system of ours, instead of one bundle:
 *
 * - a module that did not change is not transformed or compiled again: its CommonJS, its source map
 *   and V8's code cache for it are kept on disk (and in memory in watch mode), keyed by the file's size
 *   and mtime;
 * - the authoring API and zod are the CLI's own, already compiled and initialised, instead of a copy
 *   bundled into every build;
 * - in watch mode, a module whose file and imports did not change is not run again: what its run recorded
 *   (its states, layers, profiles, ...) is replayed into the session at the point where the run would
 *   have recorded it, so the program is the one a full run gives (see `ModuleRecord`).
 */

const LOADERS: Readonly<Record<string, 'ts' | 'tsx' | 'js' | 'jsx'>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}

/** Lines the wrapper adds above a module's code (positions in stack traces are shifted by it). */
const WRAPPER_LINES = 1
const HEADER = `(function (exports, require, module, __filename, __dirname, ${FILE_PARAMETER}) {\n`
const ARGS = Symbol.for('salt-dsl.load-args')

interface Transformed {
  readonly stamp: string
  /** Unique to this transform (V8's code cache for it is saved under it). */
  readonly id: string
  /**
   * When the source was read (ms since the epoch); moved on once the text was compared with the file's
   * at a time far enough past its mtime (the entry is then no longer racily clean).
   */
  readAt: number
  /** Compiled by esbuild in this process (not read from the cache). */
  readonly fresh?: true
  /** The cache entry's name. */
  readonly key: string
  /** CommonJS; undefined for JSON, whose `value` is then set. */
  readonly code?: string
  readonly map?: string
  /** Where the loader wrote call positions into `code` (see call-sites.ts); none when empty. */
  readonly sites?: readonly number[]
  readonly value?: unknown
  /** The specifiers the code requires, in order (esbuild writes each as `require("...")`). */
  readonly requires: readonly string[]
  readonly source: string
}

/**
 * One module's last run. `items` is what it recorded, in order, cut where it required a config module
 * (whose own record goes there); replaying the items in order gives the session the run gave.
 */
interface ModuleRecord {
  readonly file: string
  /** The module's text it ran. */
  readonly ran: Transformed
  readonly module: { exports: unknown }
  readonly items: (SessionSlice | { readonly child: string })[]
  /** Config modules it required (their importers are run again when they change). */
  readonly deps: Set<string>
}

/** Each module text's SHA-256, computed once (watch mode keeps the texts of unchanged modules). */
const digests = new WeakMap<Transformed, string>()

/** Bumped when what a cache entry holds, or how it is made, changes. */
const CACHE_VERSION = 9
let transforms = 0
let cacheWrites = 0

/**
 * A file's mtime has the kernel's coarse clock (milliseconds or worse): a write of the same size soon
 * after the source was read can leave size and mtime as they were. Such a "racily clean" entry (read
 * within this window of its mtime) is compared by content, as git does with its index.
 */
const RACY_MS = 2000

function changedRacily(file: string, t: Transformed, settled: (t: Transformed) => void): boolean {
  const mtime = Number(t.stamp.slice(t.stamp.indexOf(':') + 1))
  if (t.readAt - mtime >= RACY_MS) return false
  const comparedAt = Date.now()
  let changed: boolean
  try {
    changed = readFileSync(file, 'utf8') !== t.source
  } catch {
    return true
  }
  // the same text, compared once the mtime's window had passed: a later write changes the stamp
  if (!changed && comparedAt - mtime >= RACY_MS) {
    t.readAt = comparedAt
    settled(t)
  }
  return changed
}

function transformOptions(
  file: string,
  tsconfig: Record<string, boolean | string>,
): import('esbuild').TransformOptions {
  return {
    tsconfigRaw: { compilerOptions: tsconfig },
    loader: LOADERS[extname(file)] ?? 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'external',
    sourcesContent: false,
    sourcefile: file,
    logLevel: 'silent',
  }
}

/** A changed file with one of these extensions could be a module an import resolves to. */
const MODULE_LIKE: ReadonlySet<string> = new Set(EXTENSIONS)

const REQUIRE_RE = /\brequire\("((?:[^"\\]|\\.)*)"\)/g

/** Reads a file's stamp (size and mtime), or undefined if it is gone. */
function stampOf(file: string): string | undefined {
  try {
    const st = statSync(file)
    return `${st.size}:${st.mtimeMs}`
  } catch {
    return undefined
  }
}

function unquote(literal: string): string {
  return JSON.parse(`"${literal}"`) as string
}

/** Where `spec` is written in the source (for a diagnostic), else the file's start. */
function whereImported(file: string, source: string, spec: string): Origin {
  for (const quote of ["'", '"', '`']) {
    const at = source.indexOf(`${quote}${spec}${quote}`)
    if (at === -1) continue
    const before = source.slice(0, at)
    const line = before.split('\n').length
    return { file, line, column: at - before.lastIndexOf('\n') }
  }
  return { file, line: 1, column: 1 }
}

type Esbuild = typeof import('esbuild')

export interface RunOptions {
  /** The session the builders record into (already installed as the active one). */
  readonly session: Session
  /** Modules handed to the config instead of loaded (the authoring API, zod), by specifier. */
  readonly shared: ReadonlyMap<string, unknown>
  readonly timeoutMs: number
  /** Keep records and replay unchanged modules (watch mode). */
  readonly incremental: boolean
  /** Run every module, replaying none (records are still kept with `incremental`). */
  readonly all?: boolean
  /**
   * Called as soon as the entry's code returned, before what it recorded is cut into its record: runs
   * the microtasks the config queued (what they record belongs to the run).
   */
  readonly settle?: () => void
}

export interface RunResult {
  /** Config modules that ran this time (the rest were replayed). */
  readonly ran: number
  readonly replayed: number
}

export class ConfigModules {
  readonly #esbuild: () => Esbuild
  /** Where transforms and code caches are kept between runs (none: memory only). */
  readonly #cacheDir: string | undefined
  /** V8 code caches read from disk, and the modules whose cache is missing or was refused. */
  readonly #codeCache = new Map<string, Buffer>()
  readonly #compiled = new Map<string, Script>()
  readonly #transformed = new Map<string, Transformed>()
  readonly #maps = new Map<
    string,
    {
      map: LineIndexedMap
      seen: Map<number, Origin>
      /** The insertions of the located calls by line, made on first need (see call-sites.ts). */
      insertions?: Map<number, number[]>
    }
  >()
  #records = new Map<string, ModuleRecord>()

  /** Where the config's tsconfig chain is read from (nearest first), and what it said last time. */
  readonly #tsconfigChain: () => readonly string[]
  #tsconfig: Record<string, boolean | string> = {}
  /** The tsconfig's `paths`, with the directory its targets are relative to. */
  #paths: PathMapping | undefined
  #tsconfigKey = ''

  constructor(esbuild: () => Esbuild, cacheDir?: string, tsconfigChain: () => readonly string[] = () => []) {
    this.#esbuild = esbuild
    this.#tsconfigChain = tsconfigChain
    this.#cacheDir = cacheDir
    if (cacheDir !== undefined) {
      try {
        mkdirSync(cacheDir, { recursive: true })
      } catch {
        this.#cacheDir = undefined
      }
    }
  }

  /** The states of the last incremental load, by key (their nodes are reused where nothing changed). */
  lastStates: readonly StateNode[] = []

  /** Every config module of the last `prepare`, in the order found. */
  files: readonly string[] = []

  /**
   * Transforms every config module reachable from `entry` by static imports (the changed ones only, when
   * called again), concurrently. Returns esbuild's and resolution errors as diagnostics.
   */
  async prepare(entry: string, changed?: ReadonlySet<string>, watched?: string): Promise<Diagnostic[]> {
    const { options: tsconfig, paths } = readTsconfig(this.#tsconfigChain())
    const pathsKey = JSON.stringify(paths ?? null)
    if (pathsKey !== this.#pathsKey) this.#walked = undefined
    this.#paths = paths
    this.#pathsKey = pathsKey
    const key = JSON.stringify(tsconfig)
    if (key !== this.#tsconfigKey) {
      // compiled under other options: nothing compiled so far stands
      this.#tsconfig = tsconfig
      this.#tsconfigKey = key
      this.#transformed.clear()
      this.#compiled.clear()
      this.#maps.clear()
      this.#records = new Map()
      this.#walked = undefined
    }
    if (changed !== undefined && this.#walked === entry && (await this.#retransform(changed, watched)))
      return []
    this.#walked = undefined
    const diagnostics: Diagnostic[] = []
    const found = new Set<string>([entry])
    const order: string[] = []
    this.#targets.clear()
    let wave = [entry]
    while (wave.length > 0) {
      const done = await Promise.all(wave.map((file) => this.#transform(file)))
      const next: string[] = []
      for (const [i, result] of done.entries()) {
        const file = wave[i]!
        order.push(file)
        if ('diagnostics' in result) {
          diagnostics.push(...result.diagnostics)
          continue
        }
        const targets = new Map<string, string>()
        this.#targets.set(file, targets)
        for (const spec of result.requires) {
          const to = resolveImport(file, spec, this.#paths)
          if (to === 'package') continue
          if (to === undefined) {
            const message = `cannot load the config: Could not resolve "${spec}"`
            const origin = whereImported(file, result.source, spec)
            const hint = isLocal(spec) ? {} : { hint: 'install the package, or fix the name' }
            diagnostics.push(error('DSL1001', message, origin, hint))
            continue
          }
          const target = to.file
          targets.set(spec, target)
          if (!isConfigModule(target) || found.has(target)) continue
          found.add(target)
          next.push(target)
        }
      }
      wave = next
    }
    this.files = order
    if (diagnostics.length === 0) this.#walked = entry
    return diagnostics
  }

  /**
   * After a walk that found every module: the entry it started from. A prepare told which files changed
   * (watch mode) then transforms those alone and keeps the walk, as long as no import could resolve
   * otherwise.
   */
  #walked: string | undefined
  #pathsKey = ''
  /** What each module's local imports resolved to in the last walk, by specifier. */
  readonly #targets = new Map<string, Map<string, string>>()

  /**
   * Whether a module's record still stands: the same text, and each config module it required is what
   * one of its imports resolves to now (a new file can change that while no module changes).
   */
  #current(r: ModuleRecord): boolean {
    if (this.#transformed.get(r.file) !== r.ran) return false
    if (r.deps.size === 0) return true
    const targets = this.#targets.get(r.file)
    if (targets === undefined) return false
    const now = [...targets.values()]
    for (const dep of r.deps) if (!now.includes(dep)) return false
    return true
  }

  /**
   * The modules of the last walk that no watcher of `watched` names: outside it, or in node_modules (they
   * are looked at on every rebuild). Found once per walk.
   */
  #unwatched(watched: string | undefined): readonly string[] {
    if (this.#outside?.files !== this.files || this.#outside.watched !== watched) {
      const list = this.files.filter(
        (file) => watched === undefined || relative(watched, file).startsWith('..') || inNodeModules(file),
      )
      this.#outside = { files: this.files, watched, list }
    }
    return this.#outside.list
  }

  #outside: { files: readonly string[]; watched: string | undefined; list: readonly string[] } | undefined

  /**
   * Transforms again the modules among `changed` and those no watcher names (the other config files under
   * `watched` are taken as they were), and says whether the last walk still stands: false when a changed
   * file could be a module the walk did not see (an import could resolve to it now), or a changed
   * module's imports or presence changed.
   */
  async #retransform(changed: ReadonlySet<string>, watched: string | undefined): Promise<boolean> {
    const again: [string, Transformed][] = []
    for (const file of changed) {
      const known = this.#transformed.get(file)
      if (known !== undefined) again.push([file, known])
      else if (MODULE_LIKE.has(extname(file)) || basename(file) === 'package.json') return false
    }
    for (const file of this.#unwatched(watched)) {
      const known = this.#transformed.get(file)
      if (known !== undefined && !changed.has(file)) again.push([file, known])
    }
    const done = await Promise.all(again.map(([file]) => this.#transform(file)))
    return done.every((t, i) => {
      if ('diagnostics' in t) return false
      const was = again[i]![1].requires
      return t.requires.length === was.length && t.requires.every((spec, j) => spec === was[j])
    })
  }

  async #transform(file: string): Promise<Transformed | { diagnostics: Diagnostic[] }> {
    const stamp = stampOf(file)
    if (stamp === undefined) {
      return { diagnostics: [error('DSL1001', `cannot load the config: '${file}' does not exist`)] }
    }
    const known = this.#transformed.get(file)
    if (known !== undefined && known.stamp === stamp && !changedRacily(file, known, this.#settled))
      return known
    const cached = this.#readCache(file, cacheKey(file), stamp)
    if (cached !== undefined) return this.#keep(file, cached)
    const read = readModule(file, stamp)
    if ('diagnostic' in read) return { diagnostics: [read.diagnostic] }
    const { source } = read
    if (extname(file) === '.json') {
      try {
        return this.#keep(file, { ...read, value: JSON.parse(source), requires: [], fresh: true })
      } catch (thrown) {
        const message = `cannot load the config: ${file}: ${(thrown as Error).message}`
        return { diagnostics: [error('DSL1001', message, { file, line: 1, column: 1 })] }
      }
    }
    let result: TransformResult
    try {
      result = await this.#esbuild().transform(source, transformOptions(file, this.#tsconfig))
    } catch (thrown) {
      const errors = (thrown as { errors?: Message[] }).errors
      if (!Array.isArray(errors)) throw thrown
      return { diagnostics: errors.map((m) => messageDiagnostic(m, file)) }
    }
    const requires = [...result.code.matchAll(REQUIRE_RE)].map((m) => unquote(m[1]!))
    const t = { ...read, ...compiledText(result, source), requires, fresh: true as const }
    this.#writeEntry(t)
    return this.#keep(file, t)
  }

  /** Writes a module's cache entry: a JSON head, then the three texts as they are (JSON-quoting megabytes of code costs its parse). */
  #writeEntry(t: Transformed): void {
    if (t.code === undefined || t.map === undefined) return
    const lengths = [t.code.length, t.map.length, t.source.length]
    const head = JSON.stringify({
      v: CACHE_VERSION,
      stamp: t.stamp,
      id: t.id,
      readAt: t.readAt,
      requires: t.requires,
      sites: t.sites ?? [],
      lengths,
      ts: this.#tsconfigKey,
    })
    this.#writeCache(`${t.key}.module`, `${head}\n${t.code}${t.map}${t.source}`)
  }

  /** A racily clean entry found the same as its file: its new `readAt` is written down. */
  readonly #settled = (t: Transformed) => this.#writeEntry(t)

  /** Makes `t` the module's current text: what was derived from the one before goes. */
  #keep(file: string, t: Transformed): Transformed {
    this.generation++
    this.#transformed.set(file, t)
    this.#maps.delete(file)
    this.#compiled.delete(file)
    return t
  }

  #readCache(file: string, key: string, stamp: string): Transformed | undefined {
    if (this.#cacheDir === undefined) return undefined
    try {
      const data = readFileSync(join(this.#cacheDir, `${key}.module`), 'utf8')
      const newline = data.indexOf('\n')
      const head = JSON.parse(data.slice(0, newline)) as {
        v: number
        stamp: string
        id: string
        readAt: number
        requires: string[]
        sites: number[]
        lengths: [number, number, number]
        ts: string
      }
      if (head.v !== CACHE_VERSION || head.stamp !== stamp || head.ts !== this.#tsconfigKey) return undefined
      const [codeLength, mapLength, sourceLength] = head.lengths
      const at = newline + 1
      if (data.length !== at + codeLength + mapLength + sourceLength) return undefined
      const t: Transformed = {
        stamp,
        id: head.id,
        readAt: head.readAt,
        key,
        code: data.slice(at, at + codeLength),
        map: data.slice(at + codeLength, at + codeLength + mapLength),
        requires: head.requires,
        sites: head.sites,
        source: data.slice(at + codeLength + mapLength),
      }
      if (changedRacily(file, t, this.#settled)) return undefined
      const code = readCodeCache(join(this.#cacheDir, `${key}.v8`), t.id)
      if (code !== undefined) this.#codeCache.set(key, code)
      return t
    } catch {
      return undefined
    }
  }

  /** Writes a cache file whole (a reader never sees half of one); a cache that cannot be written is skipped. */
  #writeCache(name: string, data: string | Uint8Array): void {
    if (this.#cacheDir === undefined) return
    const file = join(this.#cacheDir, name)
    const tmp = `${file}.${process.pid}-${++cacheWrites}.tmp`
    // on libuv's threads, while the build goes on (the process exits once they are done)
    writeFile(tmp, data)
      .then(() => rename(tmp, file))
      .catch(() => rm(tmp, { force: true }).catch(() => undefined))
  }

  /** The compiled wrapper of a module, from V8's code cache when there is a valid one. */
  #script(file: string, t: Transformed, text: string): Script {
    const known = this.#compiled.get(file)
    if (known !== undefined) return known
    const cachedData = this.#codeCache.get(t.key)
    this.#codeCache.delete(t.key)
    const script = new Script(text, { filename: file, ...(cachedData ? { cachedData } : {}) })
    // a module compiled afresh gets its code cache at its next build: the first one has enough to do
    if ((cachedData === undefined && t.fresh !== true) || script.cachedDataRejected === true)
      this.#uncached.push([t, script])
    this.#compiled.set(file, script)
    return script
  }

  readonly #uncached: [Transformed, Script][] = []

  /**
   * Saves V8's code cache of the modules that had none, after they ran (it then holds the functions the
   * run compiled, not only the top level).
   */
  saveCodeCache(): void {
    if (this.#cacheDir === undefined) return
    const written = this.#uncached.length
    for (const [t, script] of this.#uncached.splice(0)) {
      const stamp = Buffer.from(t.id.padEnd(STAMP_BYTES))
      this.#writeCache(`${t.key}.v8`, Buffer.concat([stamp, script.createCachedData()]))
    }
    if (written > 0) pruneCache(this.#cacheDir)
  }

  /** How many times a module's text was replaced (read anew) since this set was made. */
  generation = 0

  /** The texts the modules have now (a snapshot: later reads do not change it). */
  /** The SHA-256 of the text each module has now (a snapshot: later reads do not change it). */
  digestsNow(): (file: string) => string | undefined {
    const texts = new Map<string, Transformed>(this.#transformed)
    return (file) => {
      const t = texts.get(file)
      if (t === undefined) return undefined
      let digest = digests.get(t)
      if (digest === undefined) {
        digest = createHash('sha256').update(t.source).digest('hex')
        digests.set(t, digest)
      }
      return digest
    }
  }

  /** A position in a running module → the user's source (other positions are returned as they are). */
  locate = (o: Origin, original = false): Origin => {
    let known = this.#maps.get(o.file)
    if (known === undefined) {
      const t = this.#transformed.get(o.file)
      if (t?.map === undefined) return o
      known = { map: new LineIndexedMap(t.map), seen: new Map() }
      this.#maps.set(o.file, known)
    }
    // builders called in a loop share a call site: map each position once (a located call's position
    // and one V8 reported are kept apart: they are in the text before and after the insertions)
    const key = (o.line * 2 ** 24 + o.column) * (original ? -1 : 1)
    const seen = known.seen.get(key)
    if (seen !== undefined) return seen
    const line = o.line - WRAPPER_LINES
    const column = Math.max(0, o.column - 1)
    if (!original && known.insertions === undefined) {
      const t = this.#transformed.get(o.file)
      known.insertions = insertionsOf(t?.code ?? '', t?.sites ?? [])
    }
    const before = original ? column : columnBefore(known.insertions?.get(line - 1), column)
    const pos = known.map.originalPositionFor(line, before)
    if (pos === undefined) return o
    const mapped = Object.freeze({ file: o.file, line: pos.line, column: pos.column + 1 })
    known.seen.set(key, mapped)
    return mapped
  }

  /** Whether a stack frame's file is one of the config's modules. */
  isModule(file: string): boolean {
    return this.#transformed.has(file)
  }

  /**
   * Runs the config from `entry` (after `prepare`). With `incremental`, modules whose file did not change
   * since the last run, and none of whose imports ran again, are replayed from their record.
   */
  run(entry: string, options: RunOptions): RunResult {
    const previous =
      options.incremental && options.all !== true ? this.#records : new Map<string, ModuleRecord>()
    const rerun = invalidated(previous, (r) => this.#current(r))
    const records = new Map<string, ModuleRecord>()
    const s = options.session
    let ran = 0
    let replayed = 0
    /** The record being run, and where its current stretch began. */
    let current: { record: ModuleRecord; mark: SessionMark } | undefined
    const cut = () => {
      if (current === undefined) return
      const slice = sliceSession(s, current.mark)
      if (slice !== undefined) current.record.items.push(slice)
    }
    const replay = (record: ModuleRecord) => {
      records.set(record.file, record)
      replayed++
      for (const item of record.items) {
        if (!('child' in item)) replaySlice(s, item)
        else if (!records.has(item.child)) replay(previous.get(item.child)!)
      }
    }
    const load = (file: string, from: string | undefined): unknown => {
      const done = records.get(file)
      if (done !== undefined) return done.module.exports
      const kept = previous.get(file)
      if (kept !== undefined && !rerun.has(file)) {
        replay(kept)
        return kept.module.exports
      }
      const t = this.#transformed.get(file) ?? this.#transformNow(file)
      const record: ModuleRecord = {
        file,
        ran: t,
        module: { exports: {} },
        items: [],
        deps: new Set(),
      }
      records.set(file, record)
      ran++
      if (t.code === undefined) {
        record.module.exports = t.value
        return t.value
      }
      const outer = current
      current = { record, mark: markSession(s) }
      try {
        const args = [
          record.module.exports,
          this.#requireFor(file, child, options.shared),
          record.module,
          file,
          dirname(file),
          file,
        ]
        if (from === undefined) {
          // the entry: the call runs inside the script, so that vm's timeout stops an endless loop anywhere
          const holder = globalThis as { [ARGS]?: unknown[] }
          holder[ARGS] = args
          try {
            const text = `${HEADER}${t.code}\n}).apply(undefined, globalThis[Symbol.for('salt-dsl.load-args')])`
            this.#script(file, t, text).runInThisContext({ timeout: options.timeoutMs, displayErrors: false })
          } finally {
            delete holder[ARGS]
          }
          options.settle?.()
        } else {
          const fn = this.#script(file, t, `${HEADER}${t.code}\n})`).runInThisContext({
            displayErrors: false,
          }) as (...a: unknown[]) => void
          fn.apply(undefined, args)
        }
        cut()
      } finally {
        current = outer
      }
      return record.module.exports
    }
    /** A config module required by the one running: its record goes after what was recorded so far. */
    const child = (target: string): unknown => {
      const by = current
      if (by === undefined) return load(target, entry)
      cut()
      by.record.deps.add(target)
      by.record.items.push({ child: target })
      const exports = load(target, by.record.file)
      by.mark = markSession(s)
      return exports
    }
    try {
      load(entry, undefined)
    } finally {
      // a failed run keeps nothing: the next one runs every module
      this.#records = new Map()
    }
    if (options.incremental) this.#records = records
    return { ran, replayed }
  }

  /** A module required by code at run time that the static scan did not see. */
  #transformNow(file: string): Transformed {
    const read = readModule(file, stampOf(file) ?? '')
    if ('diagnostic' in read) throw new Error(`${file}: ${read.diagnostic.message}`)
    if (extname(file) === '.json') {
      return this.#keep(file, { ...read, value: JSON.parse(read.source), requires: [], fresh: true })
    }
    const result = this.#esbuild().transformSync(read.source, transformOptions(file, this.#tsconfig))
    return this.#keep(file, { ...read, ...compiledText(result, read.source), requires: [], fresh: true })
  }

  #requireFor(
    file: string,
    child: (target: string) => unknown,
    sharedModules: ReadonlyMap<string, unknown>,
  ): NodeJS.Require {
    // Node's own require for the module, made on first use: most modules import config modules only
    let made: NodeJS.Require | undefined
    const own = (): NodeJS.Require => {
      made ??= createRequire(file)
      return made
    }
    const req = (spec: string): unknown => {
      const shared = sharedModules.get(spec)
      if (shared !== undefined) return shared
      if (BUILTINS.has(spec) || spec.startsWith('node:')) return own()(spec)
      // what the walk resolved the import to, else where it leads now (a require the walk did not see)
      const walked = this.#targets.get(file)?.get(spec)
      const found = walked === undefined ? resolveImport(file, spec, this.#paths) : { file: walked }
      if (found === undefined && isLocal(spec)) throw new Error(`Cannot find module '${spec}' from '${file}'`)
      if (found === undefined || found === 'package') return this.#requirePackage(own(), spec, file)
      return isConfigModule(found.file) ? child(found.file) : own()(found.file)
    }
    const resolveSpec = (spec: string, options?: { paths?: string[] }) => own().resolve(spec, options)
    const properties = {
      resolve: { value: Object.assign(resolveSpec, { paths: (spec: string) => own().resolve.paths(spec) }) },
      cache: { get: () => own().cache, enumerable: true },
      main: { get: () => own().main, enumerable: true },
      extensions: { get: () => own().extensions, enumerable: true },
    }
    return Object.defineProperties(req, properties) as unknown as NodeJS.Require
  }

  /** A package: Node's own require, or (for a package that is ESM only) esbuild's bundle of it. */
  #requirePackage(own: NodeJS.Require, spec: string, from: string): unknown {
    try {
      return own(spec)
    } catch (thrown) {
      const code = (thrown as { code?: string }).code
      if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw thrown
    }
    const built = this.#esbuild().buildSync({
      stdin: { contents: `export * from ${JSON.stringify(spec)}`, resolveDir: dirname(from), loader: 'js' },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
    })
    const module = { exports: {} }
    const fn = new Script(`${HEADER}${built.outputFiles[0]?.text ?? ''}\n})`, {
      filename: `${from}#${spec}`,
    }).runInThisContext() as (...a: unknown[]) => void
    fn.call(undefined, module.exports, createRequire(from), module, from, dirname(from))
    return module.exports
  }
}

/** esbuild's output for a module, with its builder calls located (see call-sites.ts). */
function compiledText(result: TransformResult, source: string) {
  return { ...writeCallSites(result.code, result.map, source, WRAPPER_LINES), map: result.map }
}

/** A module's cache entry name. */
const cacheKey = (file: string) => createHash('sha256').update(file).digest('hex').slice(0, 24)

/** A module's source as read now, with what identifies this reading. */
function readModule(file: string, stamp: string) {
  const readAt = Date.now()
  const read = readSource(file)
  if ('diagnostic' in read) return read
  const id = `${stamp}:${readAt}:${process.pid}:${++transforms}`
  return { stamp, key: cacheKey(file), readAt, source: read.source, id }
}

const STAMP_BYTES = 128

/** Cache files kept per cache directory (two per module); past that, the oldest half goes. */
const MAX_CACHE_FILES = 8000

/** Keeps a cache directory from growing without end (files of modules long deleted or renamed). */
function pruneCache(dir: string): void {
  try {
    const names = readdirSync(dir)
    if (names.length <= MAX_CACHE_FILES) return
    const aged = names.map((name) => {
      try {
        return { name, mtime: statSync(join(dir, name)).mtimeMs }
      } catch {
        return { name, mtime: 0 }
      }
    })
    aged.sort((a, b) => a.mtime - b.mtime)
    for (const { name } of aged.slice(0, names.length - MAX_CACHE_FILES / 2))
      rmSync(join(dir, name), { force: true })
  } catch {
    // another process pruned it, or it is not ours to prune: the next build tries again
  }
}

/** A code cache saved for the transform `id`, else undefined. */
function readCodeCache(file: string, stamp: string): Buffer | undefined {
  try {
    const data = readFileSync(file)
    if (data.subarray(0, STAMP_BYTES).toString().trimEnd() !== stamp) return undefined
    return data.subarray(STAMP_BYTES)
  } catch {
    return undefined
  }
}

/** The modules to run again: those whose file changed, and every module that imports one of them. */
function invalidated(
  records: ReadonlyMap<string, ModuleRecord>,
  unchanged: (r: ModuleRecord) => boolean,
): Set<string> {
  const importers = new Map<string, string[]>()
  for (const r of records.values()) {
    for (const dep of r.deps) {
      const list = importers.get(dep)
      if (list === undefined) importers.set(dep, [r.file])
      else list.push(r.file)
    }
  }
  const out = new Set<string>()
  const add = (file: string) => {
    if (out.has(file)) return
    out.add(file)
    for (const importer of importers.get(file) ?? []) add(importer)
  }
  for (const r of records.values()) if (!unchanged(r)) add(r.file)
  return out
}

function messageDiagnostic(m: Message, file: string): Diagnostic {
  const loc = m.location
  const origin = loc ? { file, line: loc.line, column: loc.column + 1 } : undefined
  return error('DSL1001', `cannot load the config: ${m.text}`, origin)
}
