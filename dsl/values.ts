import { exprOf } from './expr.ts'
import type { Origin, Value } from './ir.ts'
import { addIssue } from './session.ts'

/**
 * Turns what user code passed into IR values: lookups become expressions, `undefined` keys are dropped,
 * and anything Salt cannot carry (functions, handles, class instances, bigint, symbols) is reported.
 */
export function toValue(input: unknown, origin: Origin, where: string): Value | undefined {
  if (input === undefined) return undefined
  if (input === null || typeof input === 'string' || typeof input === 'boolean') return input
  if (typeof input === 'number') return input
  const expr = exprOf(input)
  if (expr !== undefined) return expr
  if (Array.isArray(input)) {
    return Object.freeze(input.map((item, i) => toValue(item, origin, `${where}[${i}]`) ?? null))
  }
  if (typeof input === 'object' && isPlainObject(input)) {
    const out: Record<string, Value> = {}
    for (const [key, item] of Object.entries(input)) {
      const value = toValue(item, origin, `${where}.${key}`)
      if (value !== undefined) out[key] = value
    }
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
