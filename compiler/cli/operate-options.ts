/** What plan, apply, rollback and drift share: the build, the Salt install, the store, the options. */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DEFAULT_KEEP, defaultStateDir, GenerationStore } from '../../machine/generation-store.ts'
import { findUp, resolveEntry } from '../paths.ts'
import { findSaltPython } from '../salt/crosscheck.ts'
import { CliError } from './cli-error.ts'

/** Builds `entry` into `out` through `dsl build` itself (its lock, its atomic write, its diagnostics). */
export async function buildTree(entry: string, out: string, typecheck: boolean): Promise<number> {
  const { command } = await import('./build.ts')
  return command.run([entry, '--out', out, '--quiet', ...(typecheck ? [] : ['--no-typecheck'])])
}

/** The Python with Salt for the config at `entry` (the project's `.venv`, else salt-dsl's own). */
export function saltPython(entry: string): string {
  const python = findSaltPython(undefined, resolve(entry))
  if (python === undefined)
    throw new CliError('no Salt found: run scripts/setup.sh (it creates .venv/ with Salt)')
  return python
}

/** The project root the manifest's source paths are relative to (as the build computes it). */
export function projectRoot(entry: string): string {
  const root = resolveEntry(entry)?.root ?? resolve(entry)
  return findUp(root, (dir) => existsSync(join(dir, 'package.json')))
}

/** The generation store (`DSL_STATE_DIR` overrides where). */
export const openStore = (): GenerationStore => new GenerationStore(defaultStateDir())

/** `--keep N` (or `DSL_KEEP_GENERATIONS`): how many generations the store keeps. */
export function keepCount(flag: string | undefined): number {
  const text = flag ?? process.env.DSL_KEEP_GENERATIONS
  if (text === undefined) return DEFAULT_KEEP
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--keep wants a whole number ≥ 1, not '${text}'`)
  return n
}

export function jsonFormat(format: string | undefined): boolean {
  if (format !== undefined && format !== 'json' && format !== 'text')
    throw new CliError(`unknown --format '${format}' (text or json)`)
  return format === 'json'
}

/** A generation number given on the command line. */
export function generationNumber(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`'${text}' is not a generation number`)
  return n
}
