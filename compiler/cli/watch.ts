import { existsSync, type FSWatcher, watch as watchDir } from 'node:fs'
import { basename, dirname, relative, sep } from 'node:path'
import { compile } from '../compile.ts'
import type { Diagnostic } from '../diagnostics.ts'
import type { Tree } from '../emit/emit-tree.ts'
import { onInterrupt } from '../exit-cleanup.ts'
import { configModules } from '../load/load-config.ts'
import { resolveEntry } from '../paths.ts'
import { newReuse } from '../reuse.ts'
import { typecheckConfig } from '../typecheck/typecheck.ts'
import { openOut } from '../write/write-tree.ts'
import { CliError } from './cli-error.ts'
import { type FullCheck, sameTree, startFullCheck, type Verdict } from './full-check.ts'
import { report } from './report.ts'
import { watchTree } from './watch-tree.ts'

/**
 * How long a rebuild waits after the last change event: the events of one save (truncate, write, close,
 * or an editor's write and rename) come within microseconds of each other.
 */
const SETTLE_MS = 5

/** How long the config must sit unchanged before a quick rebuild is checked against a full one. */
const CHECK_IDLE_MS = 500

/**
 * How long the checker thread is kept after a check (`DSL_CHECKER_RETIRE_MS`, default 10 s): while edits
 * keep coming it is ready with the modules' compiled texts; once the config sits still, its heap goes
 * (at 100k states the watch then holds about 470 MB instead of 660).
 */
function checkerRetireMs(): number {
  const ms = Number(process.env.DSL_CHECKER_RETIRE_MS)
  return Number.isFinite(ms) && ms >= 0 ? ms : 10_000
}

/**
 * Rebuilds on every change under the config root. The rebuild skips the type-check (run `dsl check` for
 * that, or let the editor do it), looks only at the files the watcher named, runs again only the config
 * modules that changed and the modules that import them (the others' records are replayed), and rewrites
 * only the files that changed.
 *
 * A module can change what another one reads without the other importing it (a shared array both
 * fill, say); a replay then misses it, and a watcher can miss a file. So once the config has been left
 * alone for a moment, the quick rebuild is checked against a full one (every file looked at), and the
 * tree corrected (with a warning) if they differ.
 */
export async function watchBuild(entry: string, outDir: string, signal?: AbortSignal): Promise<number> {
  const resolved = resolveEntry(entry)
  if (resolved === undefined) throw new CliError(`no config at '${entry}'`)
  // the tree is held (locked) for as long as the watch runs
  const opened = await openOut(outDir)
  if (opened.value === undefined) return report(opened.diagnostics, undefined)
  const out = opened.value
  let previous: Tree | undefined
  const modules = configModules(resolved.root)
  const reuse = newReuse()
  let checkTimer: NodeJS.Timeout | undefined
  let queued: Promise<void> = Promise.resolve()
  /** The files changed since the last rebuild began (undefined: some change did not say which file). */
  let pending: Set<string> | undefined = new Set()
  const rebuild = async () => {
    const started = performance.now()
    const first = previous === undefined
    const changed = pending
    pending = new Set()
    if (!first) process.stdout.write(`change: ${describeChanges(changed, resolved.root)}\n`)
    const result = await compile({
      entry,
      outDir,
      typecheck: first,
      secrets: 'encrypt',
      modules,
      incremental: true,
      reuse,
      ...(!first && changed !== undefined ? { changed } : {}),
    })
    report(result.diagnostics, undefined)
    stopIfPoisoned(result.diagnostics)
    if (result.tree === undefined) {
      if (!first) typecheckSoon(false)
      return
    }
    const writing = performance.now()
    const written = await out.update(result.tree, result.modes)
    report(written.diagnostics, undefined)
    if (written.value === undefined) return
    if (written.value.whole !== undefined) process.stderr.write(`warning: ${written.value.whole}\n`)
    previous = result.tree
    built = modules.generation
    const laps = Object.entries({ ...result.timings, write: Math.round(performance.now() - writing) })
      .filter(([k]) => !k.endsWith(' MB'))
      .map(([k, v]) => `${k} ${v}`)
    const ran = result.loaded?.ran
    const modulesRan = ran ? `, ${ran.ran} of ${ran.ran + ran.replayed} modules run` : ''
    process.stdout.write(
      `rebuilt in ${Math.round(performance.now() - started)} ms (${laps.join(', ')}${modulesRan})\n`,
    )
    // the code caches of the modules that ran are written once the tree is
    modules.saveCodeCache()
    // the type-check follows the tree (tsc is slower than a rebuild): its errors come as dsl check's would
    if (!first) typecheckSoon(true)
    // replays, and files the watcher did not name, are taken on trust until the check
    if (!first && ((ran !== undefined && ran.replayed > 0) || changed !== undefined)) scheduleCheck()
  }
  /** Changes seen so far (a check that overlaps one is dropped: the rebuild queued for it decides). */
  let changes = 0
  /** The modules' generation the last quick rebuild was made from. */
  let built = 0
  const scheduleCheck = () => {
    clearTimeout(checkTimer)
    checkTimer = setTimeout(() => void check(), CHECK_IDLE_MS)
  }
  // the check: a full rebuild in a worker thread, compared with the tree; only when they differ does
  // this thread rebuild in full (and then it is the one that writes, and warns)
  const cli =
    process.argv[1] !== undefined && basename(process.argv[1]) === 'dsl.js' ? process.argv[1] : undefined
  let checker: FullCheck | undefined | null
  let checking = false
  let retireTimer: NodeJS.Timeout | undefined
  const retire = () => {
    const done = checker
    if (done === undefined || done === null || checking) return
    checker = undefined
    void done.close().catch(() => undefined)
  }
  const check = async () => {
    if (checking || previous === undefined) return
    clearTimeout(retireTimer)
    checking = true
    const seen = changes
    const tree = previous
    let verdict: Verdict | undefined
    try {
      checker ??= startFullCheck(cli, entry, outDir) ?? null
      if (checker !== null) verdict = await checker.run()
    } catch {
      // no checker thread: check on this one
      await checker?.close().catch(() => undefined)
      checker = null
    } finally {
      checking = false
      retireTimer = setTimeout(retire, checkerRetireMs())
      retireTimer.unref()
    }
    // a change came meanwhile: check again once it is rebuilt and the config sits still
    if (changes !== seen) return scheduleCheck()
    if (verdict !== undefined && 'tree' in verdict && sameTree(verdict.tree, tree)) return
    queued = queued.then(rebuildInFull)
  }
  // the check found a difference (or could not run): this thread rebuilds in full, writes and warns
  const rebuildInFull = async () => {
    const seen = changes
    const result = await compile({
      entry,
      outDir,
      typecheck: false,
      secrets: 'encrypt',
      modules,
      incremental: true,
      runAll: true,
      reuse,
    })
    // a change was seen meanwhile: the rebuild queued for it decides
    if (previous === undefined || changes !== seen) return
    // modules the full rebuild found changed though the watcher named none of them since
    const unseen = modules.generation !== built
    built = modules.generation
    if (result.tree === undefined) {
      report(result.diagnostics, undefined)
      stopIfPoisoned(result.diagnostics)
      process.stderr.write('warning: a full rebuild found errors the quick rebuild did not (above)\n')
      return
    }
    // the files the full rebuild wrote or removed are those the quick one got wrong
    const written = await out.update(result.tree, result.modes)
    report(written.diagnostics, undefined)
    if (written.value === undefined) return
    const differ = written.value.changed
    previous = result.tree
    if (differ.length > 0) {
      const shown = differ.slice(0, 3).join(', ') + (differ.length > 3 ? ', ...' : '')
      const why = unseen
        ? 'a config file changed that the watcher did not report'
        : 'a module changes something another module reads without importing it'
      process.stderr.write(
        `warning: the quick rebuild differed from a full one in ${shown}; the tree now holds the full rebuild (${why})\n`,
      )
    }
  }
  // one type-check at a time, again once it ends if a rebuild came meanwhile; reported when it has errors,
  // and once when they are gone
  const typeStop = new AbortController()
  let typing: Promise<void> | undefined
  let typeAgain = false
  let typeErrors = false
  let treeWritten = false
  const typecheckSoon = (written: boolean) => {
    treeWritten = written
    if (typing !== undefined) {
      typeAgain = true
      return
    }
    typing = (async () => {
      do {
        typeAgain = false
        const typed = await typecheckConfig(resolved.file, resolved.root, typeStop.signal).catch(
          () => undefined,
        )
        if (typed === undefined || typeStop.signal.aborted || typeAgain) continue
        const failed = typed.diagnostics.length > 0
        if (failed) {
          report(typed.diagnostics, undefined)
          if (treeWritten) {
            process.stderr.write(
              'type-check: out/ holds a tree of code with these type errors (dsl build refuses it)\n',
            )
          }
        } else if (typeErrors) process.stdout.write('type-check: ok\n')
        typeErrors = failed
      } while (typeAgain && !typeStop.signal.aborted)
      typing = undefined
    })()
  }
  let timer: NodeJS.Timeout | undefined
  // watching starts before the first build, so a change made while it runs is not missed
  // installed packages, git's own files and our output (the link, and its generations): neither watched
  // nor reported
  const ignored = (path: string) =>
    !relative(out.paths.out, path).startsWith('..') ||
    !relative(out.paths.state, path).startsWith('..') ||
    relative(resolved.root, path)
      .split(sep)
      .some((part) => part === 'node_modules' || part === '.git')
  const watcher = watchTree(
    resolved.root,
    (file) => {
      if (file !== undefined) {
        if (ignored(file)) return
        pending?.add(file)
      } else pending = undefined
      changes++
      clearTimeout(timer)
      clearTimeout(checkTimer)
      timer = setTimeout(() => {
        queued = queued.then(rebuild)
      }, SETTLE_MS)
    },
    ignored,
  )
  // out/ removed or replaced (rm -rf out): written whole again at once, not at the next edit
  const outWatcher = watchOut(out.paths.out, () => {
    if (previous === undefined || out.isCurrent()) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      queued = queued.then(rebuild)
    }, SETTLE_MS)
  })
  let stop: () => void = () => undefined
  const stopped = new Promise<void>((done) => {
    stop = done
  })
  const release = onInterrupt(stop)
  signal?.addEventListener('abort', stop)
  process.stdout.write(
    `watching ${relative(process.cwd(), resolved.root) || '.'} (every directory under it but node_modules and .git)` +
      ` into ${relative(process.cwd(), out.paths.out) || out.paths.out}; each change rebuilds it, then type-checks it; Ctrl-C stops\n`,
  )
  const first = rebuild()
  queued = first.catch(() => undefined)
  try {
    await first
    await stopped
  } finally {
    release()
    typeStop.abort()
    clearTimeout(timer)
    watcher.close()
    outWatcher?.close()
    clearTimeout(checkTimer)
    await queued
    await typing
    await checker?.close()
    await out.close()
  }
  return 0
}

/** The files a rebuild looks at, for its first line: a few names, relative to the config root. */
function describeChanges(changed: ReadonlySet<string> | undefined, root: string): string {
  if (changed === undefined) return 'some file (the system did not say which)'
  // an editor's (or sed's) temporary file is gone by now: name what is there, or what was removed
  const there = [...changed].filter((f) => existsSync(f))
  const names = (there.length > 0 ? there : [...changed]).map((f) => relative(root, f)).sort()
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '') || 'out/'
}

/** Watches the directory holding `out` for its own entry (a watch on the link itself would follow it). */
function watchOut(path: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watchDir(dirname(path), (_event, name) => {
      if (name === null || String(name) === basename(path)) onChange()
    })
    watcher.on('error', () => watcher.close())
    return watcher
  } catch {
    return undefined
  }
}

/**
 * A config froze builtins this process shares with it (DSL1039): nothing it builds can be trusted any
 * more, so the watch ends (exit 1) instead of reporting the same error on every change.
 */
function stopIfPoisoned(diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.some((d) => d.code === 'DSL1039')) process.exit(1)
}
