// The value types the generated catalog (salt-states.ts) gives state arguments.
import type { Lookup } from '../expr.ts'

/**
 * A value of type `T`, or a pillar or grains lookup (or `byPlatform`) Salt resolves to one when it renders;
 * `undefined` leaves the argument out.
 */
export type Arg<T> = T | Lookup<T> | undefined

/** A list, as Salt reads a YAML sequence: any items (each may be a lookup). */
export type List = readonly unknown[]

/** A mapping, as Salt reads a YAML mapping: string keys, any values (each may be a lookup). */
export type Dict = { readonly [key: string]: unknown }

/** The explicit way to give a `**kwargs` function keyword arguments it passes on (pkg.installed → pkg.install). */
export interface PassesOn {
  /**
   * Keyword arguments the state function does not name but passes on to the execution module it calls
   * (`pkg.installed` → `pkg.install`, `cmd.run` → `cmd.run_all`): emitted as ordinary arguments, and not
   * checked by name against the pinned Salt. Everything the function names goes directly in the arguments.
   * @example
   * state('pkg.installed', { name: 'vim', extra: { disablerepo: 'updates' } })
   * // vim:
   * //   pkg.installed:
   * //     - disablerepo: updates
   */
  readonly extra?: { readonly [kwarg: string]: unknown }
}
