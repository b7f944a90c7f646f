import { existsSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The salt-dsl package root (works from the sources and from the dist/ bundle). */
export const PACKAGE_ROOT: string = findUp(dirname(fileURLToPath(import.meta.url)), (dir) => {
  const manifest = join(dir, 'package.json')
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'salt-dsl'
})

export const DSL_ENTRY = join(PACKAGE_ROOT, 'dsl', 'index.ts')

export function findUp(start: string, test: (dir: string) => boolean): string {
  let dir = start
  for (;;) {
    if (test(dir)) return dir
    const parent = dirname(dir)
    if (parent === dir) return start
    dir = parent
  }
}

/** The entry file and config root of `entry` (a file, or a directory holding index.ts). */
export function resolveEntry(entry: string): { file: string; root: string } | undefined {
  const abs = resolve(entry)
  if (!existsSync(abs)) return undefined
  if (statSync(abs).isDirectory()) {
    const file = join(abs, 'index.ts')
    return existsSync(file) ? { file, root: abs } : undefined
  }
  return { file: abs, root: dirname(abs) }
}

/**
 * Where salt-dsl keeps what it may throw away (module texts, tsc's state, template checks, its temporary
 * tsconfig): `node_modules/.cache/salt-dsl` of the nearest `node_modules` at or above `from`, else the temp
 * dir's `salt-dsl-cache`. Never the user's source tree.
 */
export function cacheDir(from: string): string {
  const modules = findUp(from, (dir) => existsSync(join(dir, 'node_modules')))
  return existsSync(join(modules, 'node_modules'))
    ? join(modules, 'node_modules', '.cache', 'salt-dsl')
    : join(tmpdir(), 'salt-dsl-cache')
}
