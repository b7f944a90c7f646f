// An import writes its config into a new directory next to CONFIG_DIR and renames it into place at the end:
// a run killed half-way leaves CONFIG_DIR as it was (absent or empty) and a `.<name>.importing-<pid>-<start>`
// directory beside it, removed by the next import into that place; two imports into one place at once end
// with one complete config and the other refused, never a mix of both.
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { CliError } from '../compiler/cli/cli-error.ts'
import { isAlive, SELF } from '../compiler/process-id.ts'

/**
 * Where the config goes: `given`, or the directory it links to (a symlink to an empty directory is written
 * through); refused when it is not a directory, not empty, or a link to nothing.
 */
function placeOf(given: string): string {
  const stat = lstatSync(given, { throwIfNoEntry: false })
  if (stat === undefined) return given
  let real: string
  try {
    real = realpathSync(given)
  } catch {
    throw new CliError(`'${given}' is a link to nothing: give a directory that is absent or empty`)
  }
  if (!statSync(real).isDirectory()) throw new CliError(`'${given}' is not a directory`)
  if (readdirSync(real).length > 0) throw new CliError(`'${given}' is not empty`)
  return real
}

/**
 * Runs `write` into a scratch directory beside `to` and moves the result to `to`, which must be absent or
 * empty; removes the scratch directory when `write` throws or returns undefined (nothing to keep).
 */
export async function intoFreshDir<T>(
  given: string,
  write: (dir: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const to = placeOf(given)
  const parent = dirname(to)
  const prefix = `.${basename(to)}.importing-`
  mkdirSync(parent, { recursive: true })
  // what a killed import left here (its process gone)
  for (const name of readdirSync(parent))
    if (name.startsWith(prefix) && !isAlive(name.slice(prefix.length)))
      rmSync(join(parent, name), { recursive: true, force: true })
  const scratch = join(parent, `${prefix}${SELF}`)
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(scratch)
  try {
    const value = await write(scratch)
    if (value === undefined) return undefined
    try {
      rmdirSync(to)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new CliError(`'${to}' was written by something else while importing: nothing imported`)
      if (code !== 'ENOENT') throw e
    }
    try {
      renameSync(scratch, to)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST')
        throw new CliError(`'${to}' was written by something else while importing: nothing imported`)
      throw e
    }
    return value
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
