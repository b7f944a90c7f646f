import { MIGRATION_SLS } from '../dsl/migration.ts'

/** A migration of a tree: its SLS and the hash of its emitted file (a new body runs it again). */
export interface Migration {
  readonly sls: string
  readonly hash: string
}

/** What ran on this machine: per migration SLS, the hash of the body that ran and when. */
export type MigrationLog = Record<
  string,
  { readonly hash: string; readonly generation: number; readonly time: string }
>

/** The migrations of a tree, from its manifest's file hashes. */
export function treeMigrations(files: Readonly<Record<string, string>>): Migration[] {
  const out: Migration[] = []
  for (const [path, hash] of Object.entries(files)) {
    const m = /^salt\/(migration\/.+)\.sls$/.exec(path)
    if (m?.[1] !== undefined) out.push({ sls: m[1].replaceAll('/', '.'), hash })
  }
  return out.filter((m) => m.sls.startsWith(MIGRATION_SLS))
}

/** Split: the migrations already run with this body (left out of the run), and the ones to run. */
export function pendingMigrations(
  all: readonly Migration[],
  log: MigrationLog,
): { done: Migration[]; due: Migration[] } {
  const done = all.filter((m) => log[m.sls]?.hash === m.hash)
  return { done, due: all.filter((m) => !done.includes(m)) }
}
