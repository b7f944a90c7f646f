/** Compiles every example (and the bundled config) that declares an inventory, into a temp dir. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Compiled, compile } from '../../compiler/compile.ts'
import { PACKAGE_ROOT } from '../../compiler/paths.ts'
import { writeTreeAtomic } from '../../compiler/write/write-tree.ts'

export interface BuiltExample {
  readonly name: string
  readonly out: string
  readonly compiled: Compiled
}

/** Entries with an inventory: examples/* and config/. */
export function inventoryEntries(): string[] {
  const dirs = readdirSync(join(PACKAGE_ROOT, 'examples')).map((d) => join(PACKAGE_ROOT, 'examples', d))
  return [...dirs, join(PACKAGE_ROOT, 'config')].filter((d) => existsSync(join(d, 'index.ts')))
}

export async function buildExample(entry: string): Promise<BuiltExample> {
  const out = join(mkdtempSync(join(tmpdir(), 'salt-dsl-resolve-')), 'out')
  const compiled = await compile({ entry, outDir: out, typecheck: false })
  if (compiled.tree !== undefined) await writeTreeAtomic(out, compiled.tree)
  return { name: entry.slice(PACKAGE_ROOT.length + 1), out, compiled }
}
