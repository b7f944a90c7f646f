import { exprOf } from './expr.ts'
import type { Origin, Value } from './ir.ts'
import { addIssue } from './session.ts'

/** ES2024's `isWellFormed` (Node 20 has it): no lone surrogate; native, a sixth of a regex test's cost. */
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed()

/**
 * Turns what user code passed into IR values: lookups become expressions, `undefined` keys are dropped,
 * and anything Salt cannot carry (functions, handles, class instances, bigint, symbols, NaN, lone
 * surrogates) is reported.
 */
export function toValue(
  input: unknown,
  origin: Origin,
  where: string | (() => string),
  seen?: Set<object>,
): Value | undefined {
  // scalars first, without allocating: this runs for every argument of every state
  if (input === undefined) return undefined
  if (input === null || typeof input === 'boolean') return input
  if (typeof input === 'string') {
    if (wellFormed(input)) return input
    const hint = 'a lone UTF-16 surrogate cannot be written as UTF-8; check how the string was built'
    addIssue('DSL1005', `${label(where)} is not valid Unicode (it holds a lone surrogate)`, origin, hint)
    return undefined
  }
  if (typeof input === 'number') {
    if (Number.isFinite(input)) return input
    addIssue('DSL1005', `${label(where)} is ${input}, which Salt's YAML and JSON cannot carry`, origin)
    return undefined
  }
  if (typeof input === 'object' && seen?.has(input)) {
    addIssue('DSL1005', `${label(where)} refers back to itself, which YAML cannot carry`, origin)
    return undefined
  }
  const expr = exprOf(input)
  if (expr !== undefined) return expr
  if (Array.isArray(input)) {
    const path = seen ?? new Set<object>()
    path.add(input)
    const items = input.map((item, i) => toValue(item, origin, () => `${label(where)}[${i}]`, path) ?? null)
    path.delete(input)
    return Object.freeze(items)
  }
  if (typeof input === 'object' && isPlainObject(input)) {
    const path = seen ?? new Set<object>()
    path.add(input)
    const out: Record<string, Value> = {}
    for (const [key, item] of Object.entries(input)) {
      const value = toValue(item, origin, () => `${label(where)}.${key}`, path)
      if (value !== undefined) out[key] = value
    }
    path.delete(input)
    return Object.freeze(out)
  }
  const hint = 'pass strings, numbers, booleans, null, arrays, plain objects or pillar/grains lookups'
  addIssue('DSL1005', `${label(where)} is a ${describe(input)}, which Salt cannot receive`, origin, hint)
  return undefined
}

/** The place a value was given at, for a message (built only when there is one). */
function label(where: string | (() => string)): string {
  return typeof where === 'string' ? where : where()
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'function'
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object'
  return typeof value
}
