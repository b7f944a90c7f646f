import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { runInThisContext } from 'node:vm'
import type { BuildContext, BuildFailure, BuildOptions, BuildResult, Message } from 'esbuild'
import type { Origin, Program } from '../../dsl/ir.ts'
import { finishSession, resetSession } from '../../dsl/session.ts'
import { type Diagnostic, error, type StageResult } from '../diagnostics.ts'
import { DSL_ENTRY } from '../paths.ts'
import { LineIndexedMap } from './source-map.ts'

export interface LoadedConfig {
  readonly program: Program
  readonly entry: string
  readonly root: string
  /** Absolute paths of every source file the config is made of. */
  readonly inputs: readonly string[]
}

const BUNDLE = 'salt-dsl-config.cjs'
const ARGS = Symbol.for('salt-dsl.load-args')

/** How long user code may run (`DSL_LOAD_TIMEOUT_MS`, default 60 s). */
function loadTimeoutMs(): number {
  const ms = Number(process.env.DSL_LOAD_TIMEOUT_MS)
  return Number.isFinite(ms) && ms > 0 ? ms : 60_000
}

/** Modules the config gets from the CLI (see shared-modules.ts), not bundled. */
const SHARED_IDS = ['zod'] as const

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

function configRequire(entry: string, shared: ReadonlyMap<string, unknown>): NodeJS.Require {
  const own = createRequire(entry)
  return Object.assign((id: string) => (shared.has(id) ? shared.get(id) : own(id)), own)
}

/** Bundles the user's entry with esbuild, runs it, and returns what the builders recorded. */
export async function loadConfig(
  entry: string,
  root: string,
  bundler: Bundler = bundleOnce,
): Promise<StageResult<LoadedConfig | undefined>> {
  const bundling = bundler(entry, root)
  // zod initialises while esbuild bundles
  const sharing = import('./shared-modules.ts')
  const bundled = await bundling
  if ('diagnostics' in bundled) return { value: undefined, diagnostics: bundled.diagnostics }
  const { code, map, inputs } = bundled
  const trace = new LineIndexedMap(map)
  // builders called in a loop share a call site: map each bundle position once
  const seen = new Map<number, Origin>()
  const files = new Map<string, string>()
  const locate = (o: Origin): Origin => {
    if (!o.file.endsWith(BUNDLE)) return o
    const key = o.line * 2 ** 24 + o.column
    const known = seen.get(key)
    if (known !== undefined) return known
    // the wrapper below puts the bundle one line down
    const pos = trace.originalPositionFor(o.line - 1, Math.max(0, o.column - 1))
    if (pos === undefined) return o
    const file = files.get(pos.source) ?? resolve(root, pos.source)
    files.set(pos.source, file)
    const mapped = Object.freeze({ file, line: pos.line, column: pos.column + 1 })
    seen.set(key, mapped)
    return mapped
  }
  const s = resetSession()
  s.locate = locate
  const module = { exports: {} }
  const holder = globalThis as { [ARGS]?: unknown[] }
  holder[ARGS] = [module.exports, configRequire(entry, (await sharing).SHARED), module, entry, dirname(entry)]
  try {
    // the call runs inside the script so that vm's timeout can stop an endless loop in user code
    const wrapper = `(function (exports, require, module, __filename, __dirname) {\n${code}\n}).apply(undefined, globalThis[Symbol.for('salt-dsl.load-args')])`
    runInThisContext(wrapper, {
      filename: join(root, BUNDLE),
      timeout: loadTimeoutMs(),
      displayErrors: false,
    })
  } catch (thrown) {
    resetSession()
    return { value: undefined, diagnostics: [thrownDiagnostic(thrown, locate)] }
  } finally {
    delete holder[ARGS]
  }
  const program = finishSession(s)
  resetSession()
  const diagnostics = program.issues.map((i) =>
    error(i.code, i.message, i.origin, i.hint ? { hint: i.hint } : {}),
  )
  return { value: { program, entry, root, inputs }, diagnostics }
}

type Bundled = { code: string; map: string; inputs: string[] } | { diagnostics: Diagnostic[] }

/** Bundles a config entry into one CommonJS text with its source map. */
export type Bundler = ((entry: string, root: string) => Promise<Bundled>) & { dispose?: () => Promise<void> }

function options(entry: string, root: string): BuildOptions & { write: false; metafile: true } {
  return {
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'external',
    sourcesContent: false,
    outfile: join(root, BUNDLE),
    alias: { 'salt-dsl': DSL_ENTRY },
    external: [...SHARED_IDS],
    metafile: true,
    logLevel: 'silent',
  }
}

async function collect(
  root: string,
  run: () => Promise<BuildResult<{ write: false; metafile: true }>>,
): Promise<Bundled> {
  try {
    const result = await run()
    const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'))
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'))
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(root, p))
    return { code: js?.text ?? '', map: map?.text ?? '{}', inputs }
  } catch (thrown) {
    const failure = thrown as BuildFailure
    if (!Array.isArray(failure.errors)) throw thrown
    return { diagnostics: failure.errors.map((m) => messageDiagnostic(m, root)) }
  }
}

const bundleOnce: Bundler = (entry, root) => collect(root, () => esbuild().build(options(entry, root)))

/** A bundler that keeps esbuild's state between calls (watch mode): unchanged files are not parsed again. */
export function incrementalBundler(): Bundler {
  let ctx: Promise<BuildContext<{ write: false; metafile: true }>> | undefined
  const bundler: Bundler = (entry, root) => {
    ctx ??= esbuild().context(options(entry, root))
    const current = ctx
    return collect(root, async () => (await current).rebuild())
  }
  bundler.dispose = async () => {
    await (await ctx)?.dispose()
  }
  return bundler
}

function messageDiagnostic(m: Message, root: string): Diagnostic {
  const loc = m.location
  const origin = loc ? { file: resolve(root, loc.file), line: loc.line, column: loc.column + 1 } : undefined
  return error('DSL1001', `cannot load the config: ${m.text}`, origin)
}

/** A throw from user code: the first frame in user code is where it happened. */
function thrownDiagnostic(thrown: unknown, locate: (o: Origin) => Origin): Diagnostic {
  if ((thrown as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return error('DSL1012', `the config did not finish within ${loadTimeoutMs() / 1000} s`, undefined, {
      hint: 'look for an endless loop; DSL_LOAD_TIMEOUT_MS raises the limit',
    })
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  const stack = thrown instanceof Error ? (thrown.stack ?? '') : ''
  const frame = stack.split('\n').find((l) => /^\s+at /.test(l) && l.includes(BUNDLE))
  const m = frame?.match(/\((.*):(\d+):(\d+)\)$/) ?? frame?.match(/at (.*):(\d+):(\d+)$/)
  const origin = m ? locate({ file: m[1] ?? '', line: Number(m[2]), column: Number(m[3]) }) : undefined
  return error('DSL1003', `the config threw while it ran: ${message}`, origin, {
    hint: 'builders report misuse as diagnostics; a throw comes from the config code itself',
  })
}
