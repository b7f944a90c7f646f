import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'

export const REPO = resolve(import.meta.dirname, '../..')

export interface CliRun {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `dsl` CLI (the bundled dist/cli.cjs) in a child process. */
export function dsl(args: readonly string[], env: Readonly<Record<string, string>> = {}, cwd = REPO): CliRun {
  const run = spawnSync(process.execPath, [join(REPO, 'bin/dsl.js'), ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr }
}

const made: string[] = []

/** Removes every directory `tempDir` made (run after each test file by test/setup.ts). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    rmSync(dir, { recursive: true, force: true })
    // the generations of a tree built with the temp dir itself as --out live beside it
    rmSync(join(dirname(dir), `.${basename(dir)}.d`), { recursive: true, force: true })
  }
}

/** A fresh directory under the system temp dir, removed after the test file. */
export function tempDir(prefix = 'salt-dsl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Every file under `root` with its bytes, keyed by relative path (sorted). */
export function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else out.set(relative(root, path), readFileSync(path))
    }
  }
  walk(root)
  return out
}
