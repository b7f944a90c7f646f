import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'vitest'
import { REPO } from './cli.ts'

export interface Watching {
  readonly child: ChildProcessWithoutNullStreams
  /** Everything the watch printed so far. */
  output(): { stdout: string; stderr: string }
  /** Waits until `test` holds (60 s at most: a loaded machine's first build type-checks), else fails. */
  until(test: () => boolean): Promise<void>
}

/** `dsl build DIR --out OUT --watch`, running until the test kills it (SIGINT stops it cleanly). */
export function watching(dir: string, out: string, env: Record<string, string> = {}): Watching {
  const child = spawn(process.execPath, [join(REPO, 'bin/dsl.js'), 'build', dir, '--out', out, '--watch'], {
    cwd: REPO,
    env: { ...process.env, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 1200 && !test(); i++) await new Promise((r) => setTimeout(r, 50))
    expect(test(), `stdout: ${stdout}\nstderr: ${stderr}`).toBe(true)
  }
  return { child, output: () => ({ stdout, stderr }), until }
}
