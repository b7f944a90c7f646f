import { exprOf } from './expr.ts'
import type { Origin, Value } from './ir.ts'
import { addIssue } from './session.ts'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Turns what user code passed into IR values: lookups become expressions, `undefined` keys are dropped,
 * and anything Salt cannot carry (functions, handles, class instances, bigint, symbols, NaN, lone
 * surrogates) is reported.
 */
export function toValue(
  input: unknown,
  origin: Origin,
  where: string,
  seen = new Set<object>(),
): Value | undefined {
  if (input === undefined) return undefined
  if (typeof input === 'object' && input !== null && seen.has(input)) {
    addIssue('DSL1005', `${where} refers back to itself, which YAML cannot carry`, origin)
    return undefined
  }
  if (typeof input === 'string' && LONE_SURROGATE.test(input)) {
    const hint = 'a lone UTF-16 surrogate cannot be written as UTF-8; check how the string was built'
    addIssue('DSL1005', `${where} is not valid Unicode (it holds a lone surrogate)`, origin, hint)
    return undefined
  }
  if (input === null || typeof input === 'string' || typeof input === 'boolean') return input
  if (typeof input === 'number') {
    if (Number.isFinite(input)) return input
    addIssue('DSL1005', `${where} is ${input}, which Salt's YAML and JSON cannot carry`, origin)
    return undefined
  }
  const expr = exprOf(input)
  if (expr !== undefined) return expr
  if (Array.isArray(input)) {
    seen.add(input)
    const items = input.map((item, i) => toValue(item, origin, `${where}[${i}]`, seen) ?? null)
    seen.delete(input)
    return Object.freeze(items)
  }
  if (typeof input === 'object' && isPlainObject(input)) {
    seen.add(input)
    const out: Record<string, Value> = {}
    for (const [key, item] of Object.entries(input)) {
      const value = toValue(item, origin, `${where}.${key}`, seen)
      if (value !== undefined) out[key] = value
    }
    seen.delete(input)
    return Object.freeze(out)
  }
  const hint = 'pass strings, numbers, booleans, null, arrays, plain objects or pillar/grains lookups'
  addIssue('DSL1005', `${where} is a ${describe(input)}, which Salt cannot receive`, origin, hint)
  return undefined
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
