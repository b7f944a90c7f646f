import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import type { Program } from '../dsl/ir.ts'
import { type Diagnostic, error, hasErrors, sortDiagnostics } from './diagnostics.ts'
import { emitTree, type Tree } from './emit/emit-tree.ts'
import { buildGraph, type Graph } from './graph/build-graph.ts'
import { type LoadedConfig, loadConfig } from './load/load-config.ts'
import { findUp, resolveEntry } from './paths.ts'
import { emitPillarTree, type Resolution, resolveStage } from './resolve/resolve.ts'
import { typecheckConfig } from './typecheck/typecheck.ts'

export interface CompileOptions {
  readonly entry: string
  readonly outDir: string
  /** Run the TypeScript compiler over the config (default true). */
  readonly typecheck?: boolean
}

export interface Compiled {
  readonly loaded?: LoadedConfig
  readonly graph?: Graph
  /** Every machine's merged pillar and top-file matches. */
  readonly resolution?: Resolution
  readonly tree?: Tree
  readonly diagnostics: readonly Diagnostic[]
  /** The stage that stopped the pipeline, if any. */
  readonly failedStage?: 'load' | 'typecheck' | 'graph' | 'resolve' | 'emit'
}

/**
 * The pipeline: load → type-check → graph → resolve → emit. Stops after the first stage with errors;
 * type-checking runs in parallel with loading (it is a separate process) and is reported in stage order.
 */
export async function compile(options: CompileOptions): Promise<Compiled> {
  const entry = resolveEntry(options.entry)
  if (entry === undefined) {
    const d = error('DSL1000', `no config at '${options.entry}'`, undefined, {
      hint: 'pass a .ts file or a directory with index.ts',
    })
    return { diagnostics: [d], failedStage: 'load' }
  }
  const checking = options.typecheck === false ? undefined : typecheckConfig(entry.file, entry.root)
  const load = await loadConfig(entry.file, entry.root)
  const typed = await checking
  if (hasErrors(load.diagnostics) || load.value === undefined) return stop('load', load.diagnostics)
  const loaded = load.value
  if (typed && hasErrors(typed.diagnostics))
    return stop('typecheck', [...load.diagnostics, ...typed.diagnostics], loaded)
  const assets = readAssets(loaded)
  const graph = buildGraph(loaded.program)
  const found = [
    ...load.diagnostics,
    ...(typed?.diagnostics ?? []),
    ...assets.diagnostics,
    ...graph.diagnostics,
  ]
  if (hasErrors(found)) return stop('graph', found, loaded, graph.value)
  const resolved = resolveStage(loaded.program)
  found.push(...resolved.diagnostics)
  if (hasErrors(found)) return { ...stop('resolve', found, loaded, graph.value), resolution: resolved.value }
  const project = findUp(loaded.root, (dir) => existsSync(join(dir, 'package.json')))
  const tree = emitTree({
    graph: graph.value,
    outDir: resolve(options.outDir),
    assets: assets.value,
    sourceHash: sourceHash(loaded.inputs, project),
    relativize: (file) => relative(project, file),
    extra: emitPillarTree(resolved.value),
  })
  return { loaded, graph: graph.value, resolution: resolved.value, tree, diagnostics: sortDiagnostics(found) }
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

function readAssets(loaded: LoadedConfig): { value: Map<string, Uint8Array>; diagnostics: Diagnostic[] } {
  const value = new Map<string, Uint8Array>()
  const diagnostics: Diagnostic[] = []
  for (const asset of loaded.program.assets) {
    if (value.has(asset.path)) continue
    const file = join(loaded.root, asset.path)
    if (!existsSync(file)) {
      diagnostics.push(
        error(
          'DSL3007',
          `source file '${asset.path}' does not exist under ${relative(process.cwd(), loaded.root) || '.'}`,
          asset.origin,
        ),
      )
      continue
    }
    value.set(asset.path, readFileSync(file))
  }
  return { value, diagnostics }
}

function sourceHash(inputs: readonly string[], project: string): string {
  const hash = createHash('sha256')
  for (const file of [...inputs].sort())
    hash.update(relative(project, file)).update('\0').update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

export type { Program }
