// An argument present only where its value is defined (a pillar key the machine has, an element's field).

import { exprOf, type Lookup } from './expr.ts'
import type { Computed } from './filters.ts'
import { EXPR, type Expr } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue } from './session.ts'

const OPTIONAL = new WeakSet<Expr>()

/**
 * The lookup's value, as an argument written only where Salt finds the key (a Jinja `if` around the
 * argument): the function's own default applies elsewhere.
 * @example
 * pkgrepo('deb https://nginx.org/packages/debian bookworm nginx', { key_url: ifDefined(pillar.nginx.key_url) })
 * // {% if salt['pillar.get']("nginx:key_url", none) is not none %}
 * //     - key_url: {{ dsl_yaml(salt['pillar.get']("nginx:key_url")) }}
 * // {% endif %}
 */
export function ifDefined<T>(lookup: Lookup<T | undefined>): Computed<T> {
  const expr = exprOf(lookup)
  if (expr === undefined) {
    addIssue('DSL1061', 'ifDefined() expects a pillar, grains or loop-item lookup', callSite(ifDefined))
    return lookup as never
  }
  const copy = Object.freeze({ ...expr, [EXPR]: true as const }) as Expr
  OPTIONAL.add(copy)
  return copy as never
}

/** Whether an argument was given through `ifDefined`. */
export function isIfDefined(value: unknown): boolean {
  return value !== null && typeof value === 'object' && OPTIONAL.has(value as Expr)
}
