import { type Cond, EXPR, type Expr, isExpr, type Scalar } from './ir.ts'

/** Marks an accessor proxy; reading it yields the expression the proxy stands for. */
const ACCESSOR = Symbol.for('salt-dsl.accessor')

/** Phantom key of a lookup's value type: a symbol, so no name of the user's data is taken or completed. */
declare const VALUE_TYPE: unique symbol

/** A typed reference to a value Salt knows at render time (a pillar key, a grain). */
export interface Lookup<T> {
  readonly [ACCESSOR]: Expr
  /** Phantom: the type of the value Salt will substitute. */
  readonly [VALUE_TYPE]?: T
}

/**
 * Walks typed data: every key is an accessor, every leaf a `Lookup`. The keys of an optional object are
 * reachable too (`pillar.nginx.lookup.user` with an optional `lookup`): Salt's `pillar.get` of a path
 * through a missing key gives its default.
 */
export type Accessor<T> = Lookup<T> &
  ([NonNullable<T>] extends [readonly unknown[]]
    ? unknown
    : [NonNullable<T>] extends [object]
      ? { readonly [K in keyof NonNullable<T>]-?: Accessor<NonNullable<T>[K] | Extract<T, undefined>> }
      : unknown)

const KEY_RE = /^[^:]+$/

export function makeAccessor<T>(kind: 'pillar' | 'grain', path: readonly string[]): Accessor<T> {
  const expr: Expr = Object.freeze({ [EXPR]: true as const, kind, path: Object.freeze([...path]) })
  return new Proxy(Object.freeze({}), {
    get(_target, prop) {
      if (prop === ACCESSOR) return expr
      if (typeof prop === 'symbol' || prop === 'then') return undefined
      return makeAccessor(kind, [...path, prop])
    },
  }) as Accessor<T>
}

/** The expression behind an accessor, if `value` is one (or already is an expression). */
export function exprOf(value: unknown): Expr | undefined {
  if (isExpr(value)) return value
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    const expr = (value as Record<symbol, unknown>)[ACCESSOR]
    if (isExpr(expr)) return expr
  }
  return undefined
}

/** True for path segments Salt's `pillar.get` can address (it splits on `:`). */
export function isAddressableKey(key: string): boolean {
  return KEY_RE.test(key)
}

/** Something `when()` accepts: a condition, or a lookup that is tested for truthiness. */
export type Condition = Cond | Lookup<unknown>

export function toCond(value: Condition): Cond {
  const expr = exprOf(value)
  return expr === undefined ? (value as Cond) : Object.freeze({ kind: 'truthy', expr })
}

function lookupExpr(value: Lookup<unknown>): Expr {
  const expr = exprOf(value)
  if (expr === undefined) throw new TypeError('expected a pillar or grains lookup')
  return expr
}

/** `lookup == value`, e.g. `eq(grains.os_family, 'Debian')`. */
export function eq<T extends Scalar>(lookup: Lookup<T>, value: T): Cond {
  return Object.freeze({ kind: 'eq', expr: lookupExpr(lookup), value })
}

/** `lookup in values`, e.g. `oneOf(grains.os, ['Ubuntu', 'Debian'])`. */
export function oneOf<T extends Scalar>(lookup: Lookup<T>, values: readonly T[]): Cond {
  return Object.freeze({ kind: 'in', expr: lookupExpr(lookup), values: Object.freeze([...values]) })
}

/** How deep each `not`/`and`/`or` nests (a lookup or a comparison is 0), kept as each is made. */
const DEPTH = new WeakMap<Cond, number>()

/** How deep a condition nests: its Jinja test has as many levels of parentheses. */
export function condDepth(cond: Cond): number {
  return DEPTH.get(cond) ?? 0
}

function nested<C extends Cond>(cond: C, parts: readonly Cond[]): C {
  let depth = 0
  for (const part of parts) depth = Math.max(depth, condDepth(part))
  DEPTH.set(cond, depth + 1)
  return cond
}

export function not(cond: Condition): Cond {
  const inner = toCond(cond)
  return nested(Object.freeze({ kind: 'not', cond: inner }), [inner])
}

export function and(...conds: Condition[]): Cond {
  const parts = Object.freeze(conds.map(toCond))
  return nested(Object.freeze({ kind: 'and', conds: parts }), parts)
}

export function or(...conds: Condition[]): Cond {
  const parts = Object.freeze(conds.map(toCond))
  return nested(Object.freeze({ kind: 'or', conds: parts }), parts)
}
