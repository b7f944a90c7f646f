import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { SecretSpec } from '../dsl/secret.ts'

/** A secret's value, read by the build (never by config code), or why it could not be read. */
export function readSecret(
  spec: SecretSpec,
  env = process.env,
): { value: string } | { problem: string; hint: string } {
  const ref = spec.ref
  switch (spec.source) {
    case 'env': {
      const value = env[ref as string]
      if (value === undefined || value === '')
        return {
          problem: `environment variable ${ref} is not set`,
          hint: `export ${ref}=... before dsl build`,
        }
      return { value }
    }
    case 'file':
      try {
        return { value: readFileSync(ref as string, 'utf8') }
      } catch (e) {
        return { problem: `cannot read ${ref}: ${(e as Error).message}`, hint: 'give a readable file' }
      }
    case 'pass': {
      // pass prints the secret's first line as the password (the rest is metadata by pass's convention)
      const run = spawnSync('pass', ['show', ref as string], { encoding: 'utf8', env })
      if (run.error || run.status !== 0)
        return {
          problem: `pass show ${ref} failed: ${(run.stderr || run.error?.message || '').trim()}`,
          hint: `add it with: pass insert ${ref}`,
        }
      return { value: run.stdout.split('\n')[0] ?? '' }
    }
    case 'command': {
      const [cmd, ...args] = ref as readonly string[]
      const run = spawnSync(cmd ?? '', args, { encoding: 'utf8', env })
      if (run.error || run.status !== 0)
        return {
          // never the command's stdout: it may hold the secret
          problem: `${cmd} exited ${run.status ?? run.error?.message}: ${(run.stderr ?? '').trim().slice(0, 300)}`,
          hint: 'sign in to the password manager (op signin, bw unlock) in this shell first',
        }
      return { value: run.stdout.replace(/\r?\n$/, '') }
    }
  }
}
