import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { PACKAGE_ROOT } from '../paths.ts'
import { collectProcess, runProcess } from '../run-process.ts'

const WARM_SCRIPT = join(PACKAGE_ROOT, 'compiler', 'salt', 'warm-call.py')

/** A salt-call started ahead (`prewarmSalt`), loading Salt while it waits for its command line. */
interface WarmSalt {
  readonly python: string
  readonly child: ChildProcess
}

/** The key under which bin/dsl.js leaves a salt-call it started before the CLI itself loaded. */
const EARLY = '__saltDslWarmSalt'

/** A salt-call bin/dsl.js started while it loaded the CLI (`dsl plan`, `dsl apply`): adopted once. */
function adoptEarly(): WarmSalt | undefined {
  const g = globalThis as Record<string, unknown>
  const early = g[EARLY] as WarmSalt | undefined
  delete g[EARLY]
  return early
}

let warm: WarmSalt | undefined = adoptEarly()

/**
 * Starts the next salt-call's Python and Salt's modules now (about half of each salt-call's time), so
 * that the next `saltCall` with this Python only hands it its command line. For a run that will call
 * Salt next: the build before a plan, the plan before an apply. Unused, it ends with salt-dsl (its stdin
 * closes) or at the next `prewarmSalt`; it never runs anything without a command line.
 */
export function prewarmSalt(python: string): void {
  if (warm !== undefined && warm.python === python && warm.child.exitCode === null) return
  discardWarmSalt()
  if (!existsSync(WARM_SCRIPT)) return
  const child = spawn(python, [WARM_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
  child.on('error', () => {}) // a Python that cannot start: the next call starts its own and reports that
  child.stdin?.on('error', () => {})
  // waiting, it keeps nothing alive: salt-dsl may end without it
  child.unref()
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as unknown as { unref?: () => void } | null)?.unref?.()
  warm = { python, child }
}

/** Ends a warm salt-call that will not be used. */
export function discardWarmSalt(): void {
  warm?.child.stdin?.end()
  warm?.child.kill('SIGTERM')
  warm = undefined
}

/** The warm salt-call for `python`, taken (each runs once), or undefined. */
function takeWarm(python: string): ChildProcess | undefined {
  const w = warm
  if (w === undefined || w.python !== python) return undefined
  warm = undefined
  if (w.child.exitCode !== null || w.child.signalCode !== null || w.child.pid === undefined) return undefined
  w.child.ref()
  for (const stream of [w.child.stdin, w.child.stdout, w.child.stderr])
    (stream as unknown as { ref?: () => void } | null)?.ref?.()
  return w.child
}

/** One `salt-call --local -c CONF --out=json` run. */
export interface SaltCallRequest {
  /** The Python of the Salt install (`findSaltPython`); its `salt-call` sits beside it. */
  readonly python: string
  /** The config dir holding `minion` (`writeMinionConfig`). */
  readonly confDir: string
  readonly fun: string
  readonly args?: readonly string[]
  /** Salt's log level on stderr (`info` logs each state as it runs); default `warning`. */
  readonly logLevel?: 'warning' | 'info'
  /** Each stderr line as Salt writes it (without its newline). */
  readonly onLine?: (line: string) => void
  readonly onSpawn?: (pid: number) => void
  /** Salt's own temp files (`__salt.tmp.*`) go here. */
  readonly tmpDir?: string
  /** Another salt-call follows this one: start loading it now (`prewarmSalt`). */
  readonly warmNext?: boolean
}

export interface SaltCallResult {
  /** salt-call's exit status (with `--retcode-passthrough`: 0, 1 error, 2 a state failed, 5 pillar). */
  readonly code: number
  /** `local` of the JSON on stdout; undefined when Salt printed none. */
  readonly data: unknown
  readonly stderr: string
}

/** The `salt-call` of the Salt install that `python` belongs to. */
export function saltCallBeside(python: string): string | undefined {
  const bin = join(dirname(python), 'salt-call')
  return existsSync(bin) ? bin : undefined
}

/** Runs salt-call and parses its JSON answer; rejects only when it cannot start. */
export async function saltCall(r: SaltCallRequest): Promise<SaltCallResult> {
  const bin = saltCallBeside(r.python) ?? 'salt-call'
  const argv = ['--local', '-c', r.confDir, '--out=json', '--out-indent=-1', '--retcode-passthrough']
  argv.push('-l', r.logLevel ?? 'warning', r.fun, ...(r.args ?? []))
  const decoder = new StringDecoder('utf8')
  let pending = ''
  const onStderr =
    r.onLine &&
    ((chunk: Buffer) => {
      const lines = (pending + decoder.write(chunk)).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) r.onLine?.(line)
    })
  const env = { ...process.env, ...(r.tmpDir ? { TMPDIR: r.tmpDir } : {}) }
  const extra = {
    env,
    ...(onStderr ? { onStderr } : {}),
    ...(r.onSpawn ? { onSpawn: r.onSpawn } : {}),
  }
  const ready = saltCallBeside(r.python) ? takeWarm(r.python) : undefined
  let run: Awaited<ReturnType<typeof runProcess>>
  if (ready !== undefined) {
    // its pid is told before it gets its command line: nothing runs unannounced
    r.onSpawn?.(ready.pid!)
    const collected = collectProcess(ready, extra)
    const request = { argv, env: r.tmpDir ? { TMPDIR: r.tmpDir } : {}, cwd: r.confDir }
    ready.stdin!.end(`${JSON.stringify(request)}\n`)
    if (r.warmNext) prewarmSalt(r.python)
    run = await collected
  } else {
    const running = runProcess(bin, argv, undefined, undefined, extra)
    if (r.warmNext) prewarmSalt(r.python)
    run = await running
  }
  if (pending !== '') r.onLine?.(pending)
  return { code: run.code, data: parseLocal(run.stdout), stderr: run.stderr }
}

function parseLocal(stdout: string): unknown {
  try {
    const parsed: unknown = JSON.parse(stdout)
    return parsed !== null && typeof parsed === 'object' && 'local' in parsed ? parsed.local : undefined
  } catch {
    return undefined
  }
}
