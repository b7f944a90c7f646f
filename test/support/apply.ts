import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** One state's outcome from `state.apply` (Salt's `module_|-id_|-name_|-fun` entries). */
export interface StateRun {
  readonly __id__: string
  readonly result: boolean | null
  readonly changes: Record<string, unknown>
  readonly comment: string
  readonly __run_num__: number
}

/** The per-state results of an apply, in run order; throws when Salt returned errors instead. */
/** The pre-flight checks of the bundled config's ops, in the order a highstate must run them first. */
export const PREFLIGHT_IDS = [
  'pre-flight: ops pillar',
  'pre-flight: Salt version',
  'pre-flight: disk space',
  'pre-flight: write permissions',
  'pre-flight: package source reachable',
  'pre-flight: profile',
]

export function runs(data: unknown): StateRun[] {
  if (Array.isArray(data)) throw new Error(`Salt returned errors: ${JSON.stringify(data)}`)
  return Object.values(data as Record<string, StateRun>).sort((a, b) => a.__run_num__ - b.__run_num__)
}

/** IDs of the states that reported changes. */
export const changed = (data: unknown): string[] =>
  runs(data)
    .filter((r) => Object.keys(r.changes).length > 0)
    .map((r) => r.__id__)

/** IDs of the states that did not succeed. */
export const failed = (data: unknown): string[] =>
  runs(data)
    .filter((r) => r.result !== true)
    .map((r) => `${r.__id__}: ${r.comment}`)

/** A throw-away local user with a home; `remove()` deletes it and its home. */
export function throwawayUser(): { name: string; home: string; remove: () => void } {
  const name = `dsl${randomBytes(3).toString('hex')}`
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name])
  const home = execFileSync('sh', ['-c', `getent passwd ${name} | cut -d: -f6`], { encoding: 'utf8' }).trim()
  return { name, home, remove: () => execFileSync('userdel', ['--remove', name], { stdio: 'ignore' }) }
}
