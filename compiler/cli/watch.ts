import { watch } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { compile } from '../compile.ts'
import { EmitCache, type Tree } from '../emit/emit-tree.ts'
import { configModules } from '../load/load-config.ts'
import { resolveEntry } from '../paths.ts'
import { refuseToReplace, writeTreeAtomic, writeTreeIncremental } from '../write/write-tree.ts'
import { CliError } from './cli-error.ts'
import { report } from './report.ts'

/**
 * Rebuilds on every change under the config root. The rebuild skips the type-check (run `dsl check` for
 * that, or let the editor do it) and rewrites only the files that changed.
 */
export async function watchBuild(entry: string, outDir: string, signal?: AbortSignal): Promise<number> {
  const resolved = resolveEntry(entry)
  if (resolved === undefined) throw new CliError(`no config at '${entry}'`)
  let previous: Tree | undefined
  const modules = configModules(resolved.root)
  const reuse = { argsChecked: new WeakMap(), emit: new EmitCache() }
  const rebuild = async () => {
    const started = performance.now()
    const first = previous === undefined
    const result = await compile({ entry, outDir, typecheck: first, modules, incremental: true, reuse })
    report(result.diagnostics, undefined)
    if (result.tree === undefined) return
    if (previous === undefined) {
      const refusal = refuseToReplace(outDir)
      if (refusal !== undefined) throw new CliError(refusal, 1)
      await writeTreeAtomic(outDir, result.tree)
    } else writeTreeIncremental(outDir, previous, result.tree)
    previous = result.tree
    const laps = Object.entries(result.timings ?? {})
      .filter(([k]) => !k.endsWith(' MB'))
      .map(([k, v]) => `${k} ${v}`)
    process.stdout.write(`rebuilt in ${Math.round(performance.now() - started)} ms (${laps.join(', ')})\n`)
  }
  await rebuild()
  let queued: Promise<void> = Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  const watcher = watch(resolved.root, { recursive: true }, (_event, file) => {
    if (file && dirname(file).split('/').includes('node_modules')) return
    if (file && !relative(outDir, join(resolved.root, file)).startsWith('..')) return // our own output
    clearTimeout(timer)
    timer = setTimeout(() => {
      queued = queued.then(rebuild)
    }, 10)
  })
  await new Promise<void>((done) => {
    signal?.addEventListener('abort', () => done())
    process.once('SIGINT', () => done())
  })
  watcher.close()
  await queued
  return 0
}
