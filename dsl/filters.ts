// Typed Jinja filters and `pillar.get` defaults over values Salt computes when it renders the SLS.
import { exprOf, type Lookup } from './expr.ts'
import { EXPR, type Expr, type Scalar, type Value } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue } from './session.ts'
import { toValue } from './values.ts'

/** A value usable wherever a `T` is, which Salt computes when it renders the SLS. */
export type Computed<T> = T & Lookup<T>

/** The type a lookup stands for, without the `undefined` of an optional key. */
type Present<L> = L extends Lookup<infer V> ? NonNullable<V> : never

const frozen = (expr: Expr): never => Object.freeze(expr) as never

function lookupOf(value: unknown, what: string, fn: (...args: never[]) => unknown): Expr | undefined {
  const expr = exprOf(value)
  if (expr === undefined)
    addIssue(
      'DSL1070',
      `${what} expects a pillar or grains lookup`,
      callSite(fn),
      'pass e.g. pillar.nginx.user',
    )
  return expr
}

/**
 * Salt's `pillar.get(key, default)`: the pillar value, or `fallback` where the machine's pillar lacks the key.
 * @example
 * file('/etc/nginx/user', { contents: withDefault(pillar.nginx.user, 'www-data') })
 * // - contents: {{ dsl_yaml(salt['pillar.get']("nginx:user", "www-data")) }}
 */
export function withDefault<L extends Lookup<unknown>>(
  lookup: L,
  fallback: Present<L>,
): Computed<Present<L>> {
  const expr = lookupOf(lookup, 'withDefault()', withDefault)
  const value = toValue(fallback, callSite(withDefault), 'withDefault() fallback')
  if (expr === undefined || value === undefined) return fallback as never
  if (expr.kind !== 'pillar') {
    addIssue(
      'DSL1070',
      'withDefault() takes a pillar lookup',
      callSite(withDefault),
      'use orDefault() for grains',
    )
    return fallback as never
  }
  return frozen({ [EXPR]: true, kind: 'pillar', path: expr.path, default: value as Value })
}

function filter(
  name: string,
  value: unknown,
  args: readonly Scalar[],
  fn: (...a: never[]) => unknown,
): never {
  const expr = lookupOf(value, `${name}()`, fn)
  if (expr === undefined) return value as never
  return frozen({ [EXPR]: true, kind: 'filter', filter: name, expr, args: Object.freeze([...args]) })
}

/**
 * Jinja's `lower` filter.
 * @example
 * text`${lower(grains.os)}.conf` // {{ (salt['grains.get']("os") | lower) ~ ".conf" }}
 */
export function lower(value: Lookup<string>): Computed<string> {
  return filter('lower', value, [], lower)
}

/** Jinja's `upper` filter. */
export function upper(value: Lookup<string>): Computed<string> {
  return filter('upper', value, [], upper)
}

/** Jinja's `replace(old, new)` filter. */
export function replace(value: Lookup<string>, old: string, by: string): Computed<string> {
  return filter('replace', value, [old, by], replace)
}

/** Jinja's `join(separator)` filter over a list. */
export function join(value: Lookup<readonly (string | number)[]>, separator = ''): Computed<string> {
  return filter('join', value, [separator], join)
}

/**
 * Jinja's `default(fallback, true)` filter: `fallback` where the value is missing or empty (Salt's
 * `grains.get` and `pillar.get` give `''` for a missing key, which plain `default` would keep).
 * @example
 * orDefault(grains.init, 'systemd') // {{ salt['grains.get']("init") | default("systemd", true) }}
 */
export function orDefault<L extends Lookup<unknown>>(
  value: L,
  fallback: Present<L> & Scalar,
): Computed<Present<L>> {
  return filter('default', value, [fallback], orDefault)
}

/** The filters `filter` Exprs may name, with how many arguments each takes. */
export const FILTERS: Readonly<Record<string, number>> = {
  lower: 0,
  upper: 0,
  replace: 2,
  join: 1,
  default: 1,
}
