import { type SlsExports, sls } from './sls.ts'

/** The SLS prefix of migrations: `migration('rename-keys', …)` is the SLS `migration.rename-keys`. */
export const MIGRATION_SLS = 'migration.'

/**
 * States that run once per machine: `dsl apply` records the migration in the machine's store and leaves
 * it out of later runs (Salt's `exclude`), until its emitted SLS changes. Put it in the top file like any
 * SLS. A state elsewhere should not require a migration's state: once excluded, the requisite is missing.
 * @example
 * export const moveHistory = migration('zsh-history', () => {
 *   cmd('mv ~ada/.zhistory ~ada/.zsh_history', { onlyif: 'test -f ~ada/.zhistory', runas: 'ada' })
 * })
 * top('*', [moveHistory])
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a body that returns nothing gives a plain handle
export function migration<T extends { readonly [key: string]: unknown } | void = void>(
  name: string,
  body: () => T,
): SlsExports<T> {
  return sls<T>(`${MIGRATION_SLS}${name}`, body)
}
