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
