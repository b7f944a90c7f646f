import { type ChildProcess, spawn } from 'node:child_process'

export interface ProcessResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** What a caller may add to a run: the environment, its stderr as it comes, its pid once started. */
export interface RunExtra {
  readonly env?: NodeJS.ProcessEnv
  readonly onStderr?: (chunk: Buffer) => void
  readonly onSpawn?: (pid: number) => void
}

/** Runs a child process to completion, collecting both streams (rejects only when it cannot start). */
export function runProcess(
  cmd: string,
  args: readonly string[],
  cwd?: string,
  signal?: AbortSignal,
  extra: RunExtra = {},
): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const options = {
      ...(cwd ? { cwd } : {}),
      ...(signal ? { signal } : {}),
      ...(extra.env ? { env: extra.env } : {}),
    }
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    if (child.pid !== undefined) extra.onSpawn?.(child.pid)
    collectProcess(child, extra).then(done, fail)
  })
}

/** Collects both streams of a started child until it ends (rejects only when it could not start). */
export function collectProcess(child: ChildProcess, extra: RunExtra = {}): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (d: Buffer) => out.push(d))
    child.stderr?.on('data', (d: Buffer) => {
      err.push(d)
      extra.onStderr?.(d)
    })
    child.on('error', fail)
    child.on('close', (code) =>
      done({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    )
  })
}
