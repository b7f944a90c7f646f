import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { runProcess } from '../run-process.ts'

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
  const run = await runProcess(bin, argv, undefined, undefined, {
    env,
    ...(onStderr ? { onStderr } : {}),
    ...(r.onSpawn ? { onSpawn: r.onSpawn } : {}),
  })
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
