import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import type { Program } from '../../dsl/ir.ts'
import { finishSession, resetSession } from '../../dsl/session.ts'
import { type Diagnostic, error, hasErrors, type StageResult } from '../diagnostics.ts'
import { cacheDir, findUp } from '../paths.ts'
import { configChain } from '../typecheck/typecheck.ts'
import { stuckBuiltins } from './builtins-guard.ts'
import { configFrames, firstConfigFrame, setConfigCode } from './config-frames.ts'
import { ConfigExit, guardExits } from './exit-guard.ts'
import { loadTimeoutMs, runLate } from './late-run.ts'
import { ConfigModules, type RunResult } from './modules.ts'
import { openRunWindow, poisonedDiagnostic } from './run-window.ts'

export interface LoadedConfig {
  readonly program: Program
  readonly entry: string
  readonly root: string
  /** Absolute paths of every source file the config is made of. */
  readonly inputs: readonly string[]
  /** The SHA-256 of the text each input was run from (so the manifest's hash matches what ran). */
  readonly digestOf: (file: string) => string | undefined
  /** How many modules ran, and how many were replayed (watch mode). */
  readonly ran: RunResult
}

/**
 * esbuild, required rather than imported: it is CommonJS, and an ESM import of it makes Node scan its
 * source for export names on every start (8 ms); loaded on first use, so commands that bundle nothing
 * skip it.
 */
let esbuildModule: typeof import('esbuild') | undefined
const esbuild = (): typeof import('esbuild') => {
  esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof import('esbuild')
  return esbuildModule
}

/** Reads and runs the user's entry and the modules it imports, and returns what the builders recorded. */
export async function loadConfig(
  entry: string,
  root: string,
  options: LoadOptions = {},
): Promise<StageResult<LoadedConfig | undefined>> {
  // the authoring API and zod initialise while esbuild transforms the config
  const sharing = import('./shared-modules.ts')
  const modules = options.modules ?? configModules(root)
  const failed = await modules.prepare(
    entry,
    options.incremental === true ? options.changed : undefined,
    root,
  )
  const { SHARED } = await sharing
  if (failed.length > 0) return { value: undefined, diagnostics: failed }
  // an earlier config of this process froze builtins: nothing built here can be trusted any more
  const stuck = stuckBuiltins()
  if (stuck.length > 0) return { value: undefined, diagnostics: [poisonedDiagnostic(stuck)] }
  const s = resetSession()
  s.locate = modules.locate
  guardExits()
  setConfigCode(modules)
  const incremental = options.incremental === true
  const all = options.runAll === true
  const timeoutMs = loadTimeoutMs()
  // in a macrotask of its own, not in a microtask (as code after an await is): the config's microtasks
  // can then be run at the end of its run, inside the timeout (see run-window.ts)
  const outcome = await inMacrotask(() =>
    runContained(timeoutMs, modules, (settle) =>
      modules.run(entry, { session: s, shared: SHARED, timeoutMs, incremental, all, settle }),
    ),
  )
  const { ran } = outcome
  if (ran === undefined) {
    resetSession()
    return { value: undefined, diagnostics: outcome.diagnostics }
  }
  // watch mode writes them after the tree
  if (options.incremental !== true) modules.saveCodeCache()
  // the requisite thunks of the config's run here: within the timeout
  const finished = runLate(() =>
    finishSession(s, options.incremental === true ? modules.lastStates : undefined),
  )
  resetSession()
  if ('diagnostics' in finished) return { value: undefined, diagnostics: finished.diagnostics }
  const program = finished.value
  if (s.stale > 0 && options.incremental === true) {
    // a replayed module holds a handle of a module that ran again (they share state outside their
    // imports): only a full run gives the right program
    return loadConfig(entry, root, { modules })
  }
  const diagnostics = [
    ...outcome.diagnostics,
    ...program.issues.map((i) => error(i.code, i.message, i.origin, i.hint ? { hint: i.hint } : {})),
  ]
  if (options.incremental === true) modules.lastStates = program.states
  const digestOf = modules.digestsNow()
  return { value: { program, entry, root, inputs: modules.files, digestOf, ran }, diagnostics }
}

export interface LoadOptions {
  /** Modules kept between loads (watch mode); a fresh set otherwise. */
  readonly modules?: ConfigModules
  /** Replay modules that did not change instead of running them (watch mode). */
  readonly incremental?: boolean
  /** With `incremental`: run every module this time, and keep what they record for the next load. */
  readonly runAll?: boolean
  /**
   * With `incremental`: the files under `root` that changed since the last load with `modules` (a
   * watcher of `root` saw them); the other modules under it are taken as they were, without a look at
   * their files.
   */
  readonly changed?: ReadonlySet<string>
}

/**
 * The modules of the config under `root` (kept between loads by watch mode), with their cache in the
 * project's `node_modules/.cache/salt-dsl/modules` (or the temp dir's, without node_modules).
 */
export function configModules(root: string): ConfigModules {
  const base = cacheDir(root)
  const tsconfig = findUp(root, (dir) => existsSync(join(dir, 'tsconfig.json')))
  const chain = () => configChain(join(tsconfig, 'tsconfig.json'))
  return new ConfigModules(esbuild, join(base, 'modules'), chain)
}

/** Runs the config in its window: how many modules ran (none when it failed), and what went wrong. */
function runContained(
  timeoutMs: number,
  code: ConfigModules,
  run: (settle: () => void) => RunResult,
): { ran?: RunResult; diagnostics: Diagnostic[] } {
  const window = openRunWindow(code)
  let ran: RunResult | undefined
  let thrown: unknown
  let threw = false
  try {
    ran = run(() => window.drain(timeoutMs))
    // what modules queued when the entry was replayed (watch mode), not run
    window.drain(timeoutMs)
  } catch (e) {
    threw = true
    thrown = e
    // what the config queued before it threw runs now, still within a timeout (not later, without one)
    try {
      window.drain(timeoutMs)
    } catch {
      // the first throw is the one reported
    }
  }
  const left = window.close()
  const diagnostics = threw && !(thrown instanceof ConfigExit) ? [thrownDiagnostic(thrown, code)] : []
  diagnostics.push(...left)
  // warnings (state the config changed and that was put back) do not stop the load
  if (ran === undefined || hasErrors(diagnostics)) return { diagnostics }
  return { ran, diagnostics }
}

/** Node's own, taken before anything (a config, a test's fake timers) could replace the global. */
const immediately = setImmediate

/** Runs `fn` in a macrotask of its own. */
function inMacrotask<T>(fn: () => T): Promise<T> {
  return new Promise((done, fail) => {
    immediately(() => {
      try {
        done(fn())
      } catch (e) {
        fail(e)
      }
    })
  })
}

/** A throw from user code: the first frame in user code is where it happened. */
function thrownDiagnostic(thrown: unknown, modules: ConfigModules): Diagnostic {
  if ((thrown as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return error('DSL1012', `the config did not finish within ${loadTimeoutMs() / 1000} s`, undefined, {
      hint: 'look for an endless loop; DSL_LOAD_TIMEOUT_MS raises the limit',
    })
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  const stack = thrown instanceof Error ? (thrown.stack ?? '') : ''
  const early = thrown instanceof ReferenceError ? readTooEarly(message, stack, modules) : undefined
  if (early !== undefined) return early
  if ((thrown as { dslCode?: unknown })?.dslCode === 'DSL1085')
    return error('DSL1085', message, firstConfigFrame(stack, modules), {
      hint: "pass the secret itself as an argument's value (e.g. contents): Salt reads it from the machine's encrypted pillar",
    })
  return error('DSL1003', `the config threw while it ran: ${message}`, firstConfigFrame(stack, modules), {
    hint: 'builders report misuse as diagnostics; a throw comes from the config code itself',
  })
}

/**
 * Modules that import each other: one reads an export of the other while that one is still loading. The
 * innermost frame is the export's getter in the loading module (its first line); the read is the next frame
 * in another module, and that is where the user can fix it.
 */
function readTooEarly(message: string, stack: string, modules: ConfigModules): Diagnostic | undefined {
  const name = /^Cannot access '(.+)' before initialization$/.exec(message)?.[1]
  if (name === undefined) return undefined
  const frames = configFrames(stack, modules)
  const getter = frames[0]
  const read = frames.find((f) => f.file !== getter?.file) ?? getter
  if (getter === undefined || read === undefined) return undefined
  const loading = relative(process.cwd(), getter.file) || getter.file
  const here = relative(process.cwd(), read.file) || read.file
  const cycle =
    read.file === getter.file ? '' : ` (${here} and ${loading} import each other, directly or through others)`
  return error('DSL1015', `'${name}' is read while ${loading} is still loading${cycle}`, read, {
    hint: `read it when it is needed: a thunk \`() => ${name}\` in a requisite is read after every module has loaded; or move what both modules need into a module of its own`,
  })
}
