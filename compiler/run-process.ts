import { spawn } from 'node:child_process'

export interface ProcessResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a child process to completion, collecting both streams (rejects only when it cannot start). */
export function runProcess(
  cmd: string,
  args: readonly string[],
  cwd?: string,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const options = { ...(cwd ? { cwd } : {}), ...(signal ? { signal } : {}) }
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
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
