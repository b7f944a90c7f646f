import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Program } from '../dsl/ir.ts'
import { addSecretPillar } from '../secrets/secret-pillar.ts'
import { type Diagnostic, error, hasErrors, sortDiagnostics } from './diagnostics.ts'
import { emitFleet } from './emit/emit-fleet.ts'
import type { Tree } from './emit/emit-tree.ts'
import type { Graph } from './graph/build-graph.ts'
import { runLate } from './load/late-run.ts'
import { type LoadedConfig, loadConfig } from './load/load-config.ts'
import type { ConfigModules } from './load/modules.ts'
import { collectGarbage, LARGE_CONFIG } from './memory.ts'
import { findUp, resolveEntry } from './paths.ts'
import type { Resolution } from './resolve/resolve.ts'
import type { Reuse } from './reuse.ts'
import { typecheckConfig } from './typecheck/typecheck.ts'
import { readAssets } from './write/read-assets.ts'

export interface CompileOptions {
  readonly entry: string
  readonly outDir: string
  /** Run the TypeScript compiler over the config (default true). */
  readonly typecheck?: boolean
  /** Produce the tree (default true; `dsl check` only needs the diagnostics). */
  readonly emit?: boolean
  /** `encrypt` reads the secrets and encrypts them to their machines (a tree to apply); default `mask`. */
  readonly secrets?: 'encrypt' | 'mask'
  /** The config's modules, kept between compiles (watch mode). */
  readonly modules?: ConfigModules
  /** Replay the config modules that did not change since the last compile with `modules`. */
  readonly incremental?: boolean
  /** With `incremental`: run every module this time (watch mode's check of its replays). */
  readonly runAll?: boolean
  /** What the last compile checked and emitted, reused where its inputs are the same (watch mode). */
  readonly reuse?: Reuse
  /**
   * With `incremental`: the files a watcher saw change since the last compile with `modules` (absolute
   * paths). The other config files, modules and assets alike, are then taken as they were.
   */
  readonly changed?: ReadonlySet<string>
  /**
   * Receives each SLS file as it is emitted (the build writes them meanwhile); not for large configs,
   * whose files would then sit in a second heap at once.
   */
  readonly onFile?: (path: string, data: string) => void
}

export interface Compiled {
  readonly loaded?: LoadedConfig
  readonly graph?: Graph
  /** Every machine's merged pillar and top-file matches. */
  readonly resolution?: Resolution
  readonly tree?: Tree
  /** The files of `tree` whose mode is not the default 0644 (owner-only or executable sources). */
  readonly modes?: ReadonlyMap<string, number>
  readonly diagnostics: readonly Diagnostic[]
  /** Wall time per stage in ms (load and typecheck overlap). */
  readonly timings?: Readonly<Record<string, number>>
  /** The stage that stopped the pipeline, if any. */
  readonly failedStage?: 'load' | 'typecheck' | 'graph' | 'resolve' | 'emit'
}

/**
 * The pipeline: load → type-check → graph → resolve → emit. The type-check is a separate process, so the
 * in-process stages run while it works, and every stage's diagnostics that can still be computed are reported
 * together: type errors beside a load error (often its cause), and beside graph and resolve errors of code that
 * loaded (so fixing one round does not reveal the next). A stage with errors stops the ones after it; config
 * code stopped half-way (a late throw or exit) cancels the type-check.
 */
export async function compile(options: CompileOptions): Promise<Compiled> {
  const entry = resolveEntry(options.entry)
  if (entry === undefined) {
    const d = error('DSL1000', `no config at '${options.entry}'`, undefined, {
      hint: 'pass a .ts file or a directory with index.ts',
    })
    return { diagnostics: [d], failedStage: 'load' }
  }
  const t = stopwatch()
  const cancel = new AbortController()
  const checking =
    options.typecheck === false
      ? undefined
      : typecheckConfig(entry.file, entry.root, cancel.signal).finally(t.lap('typecheck'))
  const loading = loadConfig(entry.file, entry.root, {
    ...(options.modules ? { modules: options.modules } : {}),
    incremental: options.incremental === true,
    runAll: options.runAll === true,
    ...(options.changed ? { changed: options.changed } : {}),
  }).finally(t.lap('load'))
  const stages = import('./stages.ts')
  const load = await loading
  if (hasErrors(load.diagnostics) || load.value === undefined) {
    const typed = await checking?.catch(() => undefined)
    return stop('load', [
      ...load.diagnostics,
      ...besideLoadErrors(load.diagnostics, typed?.diagnostics ?? []),
    ])
  }
  const loaded = load.value
  const staged = await stages
  // the config's code runs again in these stages (its pillar schema's refinements): within the timeout
  const late = runLate(() => compileLoaded(loaded, options, t, staged))
  if ('diagnostics' in late) {
    // stopped half-way: what the stages kept for the next compile (a watch's) is not to be trusted
    if (options.reuse !== undefined) Object.assign(options.reuse, (await import('./reuse.ts')).newReuse())
    cancel.abort()
    await checking?.catch(() => undefined)
    return stop('load', [...load.diagnostics, ...late.diagnostics], loaded)
  }
  const rest = late.value
  const typed = await checking
  if (typed && hasErrors(typed.diagnostics)) {
    return stop('typecheck', [...load.diagnostics, ...typed.diagnostics, ...rest.diagnostics], loaded)
  }
  const found = [...load.diagnostics, ...(typed?.diagnostics ?? []), ...rest.diagnostics]
  const diagnostics = sortDiagnostics(found)
  return { ...rest, loaded, diagnostics, timings: t.laps }
}

/** Graph → resolve → emit of a loaded config (runs while the type-check does). */
function compileLoaded(
  loaded: LoadedConfig,
  options: CompileOptions,
  t: ReturnType<typeof stopwatch>,
  { buildGraph, emitPillarTree, emitTree, resolveStage }: typeof import('./stages.ts'),
): Compiled {
  // a watch collects on its first build only: a rebuild's garbage is small, and a full collection of the
  // heap the watch keeps costs more than the rebuild (800 ms at 100k states)
  const large =
    loaded.program.states.length >= LARGE_CONFIG &&
    (options.reuse === undefined || options.reuse.graph.build === 0)
  // the config's code, its bundle and what it dropped are garbage now; a large config frees them before
  // graph and emit allocate (peak memory at 100k states), a small one does not pay for the collection
  if (large) collectGarbage()
  const assets = readAssets(loaded, options.reuse?.assets, options.changed)
  const graph = t.time('graph', () => buildGraph(loaded.program, options.reuse?.graph))
  const found = [...assets.diagnostics, ...graph.diagnostics]
  if (hasErrors(found)) return stop('graph', found, loaded, graph.value)
  const resolved = t.time('resolve', () =>
    resolveStage(loaded.program, {}, options.reuse?.resolve, graph.value),
  )
  found.push(...resolved.diagnostics)
  if (hasErrors(found)) return { ...stop('resolve', found, loaded, graph.value), resolution: resolved.value }
  if (options.emit === false) return { graph: graph.value, resolution: resolved.value, diagnostics: found }
  const project = findUp(loaded.root, (dir) => existsSync(join(dir, 'package.json')))
  // secrets are read and encrypted here, by the CLI: config code only ever held their names
  const extra = emitPillarTree(resolved.value)
  for (const [path, text] of emitFleet(loaded.program.pillar?.inventory)) extra.set(path, text)
  const secretProblems = addSecretPillar(resolved.value, project, extra, options.secrets)
  found.push(...secretProblems)
  if (hasErrors(secretProblems))
    return { ...stop('resolve', found, loaded, graph.value), resolution: resolved.value }
  const tree = t.time('emit', () =>
    emitTree({
      graph: graph.value,
      outDir: resolve(options.outDir),
      assets: assets.value.bytes,
      sourceHash: sourceHash(loaded, project),
      relativize: (file) => relative(project, file),
      extra,
      ...(large ? { checkpoint: { every: LARGE_CONFIG / 2, run: collectGarbage } } : {}),
      ...(options.reuse ? { cache: options.reuse.emit } : {}),
      ...(!large && options.onFile ? { onFile: options.onFile } : {}),
    }),
  )
  // emit's intermediate text is garbage now, and writing the tree allocates its bytes again
  if (large) collectGarbage()
  return {
    graph: graph.value,
    resolution: resolved.value,
    tree,
    modes: assets.value.modes,
    diagnostics: found,
  }
}

/** Type errors beside a load error, but not tsc's word for the same syntax or import error esbuild reported. */
function besideLoadErrors(load: readonly Diagnostic[], typed: readonly Diagnostic[]): Diagnostic[] {
  const at = (d: Diagnostic) => `${d.origin?.file}:${d.origin?.line}:${d.origin?.column}`
  const reported = new Set(load.filter((d) => d.code === 'DSL1001').map(at))
  return typed.filter((d) => !reported.has(at(d)))
}

function stop(
  stage: Compiled['failedStage'] & string,
  diagnostics: readonly Diagnostic[],
  loaded?: LoadedConfig,
  graph?: Graph,
): Compiled {
  return {
    ...(loaded ? { loaded } : {}),
    ...(graph ? { graph } : {}),
    diagnostics: sortDiagnostics(diagnostics),
    failedStage: stage,
  }
}

/** The config's inputs: each file's path and the SHA-256 of its text, in path order. */
function sourceHash(loaded: LoadedConfig, project: string): string {
  const hash = createHash('sha256')
  for (const file of [...loaded.inputs].sort()) {
    const digest = loaded.digestOf(file) ?? createHash('sha256').update(readFileSync(file)).digest('hex')
    hash.update(relative(project, file)).update('\0').update(digest).update('\0')
  }
  return hash.digest('hex')
}

export type { Program }

/** Wall-clock laps per stage, since the pipeline started. */
function stopwatch() {
  const started = performance.now()
  const laps: Record<string, number> = {}
  const memory = (name: string) => {
    const m = process.memoryUsage()
    laps[`${name} heap MB`] = Math.round(m.heapUsed / 2 ** 20)
    laps[`${name} rss MB`] = Math.round(m.rss / 2 ** 20)
  }
  return {
    laps,
    lap: (name: string) => () => {
      laps[name] = Math.round(performance.now() - started)
      memory(name)
    },
    time<T>(name: string, fn: () => T): T {
      const from = performance.now()
      const value = fn()
      laps[name] = Math.round(performance.now() - from)
      memory(name)
      return value
    },
  }
}
