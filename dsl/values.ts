import { exprOf } from './expr.ts'
import type { Expr, Origin, Value } from './ir.ts'
import { MAX_DEPTH } from './limits.ts'
import { addIssue } from './session.ts'
import { exprWellFormed, UNICODE_HINT, wellFormed } from './well-formed.ts'

export { MAX_DEPTH, MAX_JINJA_DEPTH } from './limits.ts'

/** One conversion's state: the collections on the current path, and whether depth was reported. */
interface Walk {
  readonly origin: Origin
  readonly top: string | (() => string)
  readonly limit: number
  readonly lookups: boolean
  readonly open: Set<object>
  depth: number
  tooDeep: boolean
}

/**
 * Turns what user code passed into IR values: lookups become expressions, `undefined` keys are dropped,
 * and anything Salt cannot carry (functions, handles, class instances, bigint, symbols, NaN, lone
 * surrogates in a value or a key, nesting deeper than `limit`, a lookup where `lookups` is false) is
 * reported. Any key is data, `__proto__` included. Recurses only `limit` levels deep, whatever the
 * input's depth.
 */
export function toValue(
  input: unknown,
  origin: Origin,
  where: string | (() => string),
  limit: number = MAX_DEPTH,
  lookups = true,
): Value | undefined {
  // scalars first, without allocating: this runs for every argument of every state
  if (input === undefined) return undefined
  if (input === null || typeof input === 'boolean') return input
  if (typeof input === 'string') {
    if (wellFormed(input)) return input
    addIssue(
      'DSL1005',
      `${label(where)} is not valid Unicode (it holds a lone surrogate)`,
      origin,
      UNICODE_HINT,
    )
    return undefined
  }
  if (typeof input === 'number' && Number.isFinite(input)) return input
  const expr = exprOf(input)
  if (expr !== undefined) return lookups ? checkedExpr(expr, where, origin) : noLookup(where, origin)
  const walk = { origin, top: where, limit, lookups, open: new Set<object>(), depth: 0, tooDeep: false }
  return convert(input, where, walk)
}

function convert(input: unknown, where: string | (() => string), w: Walk): Value | undefined {
  if (input === undefined) return undefined
  if (input === null || typeof input === 'boolean') return input
  if (typeof input === 'string') {
    if (wellFormed(input)) return input
    const message = `${label(where)} is not valid Unicode (it holds a lone surrogate)`
    addIssue('DSL1005', message, w.origin, UNICODE_HINT)
    return undefined
  }
  if (typeof input === 'number') {
    if (Number.isFinite(input)) return input
    addIssue('DSL1005', `${label(where)} is ${input}, which Salt's YAML and JSON cannot carry`, w.origin)
    return undefined
  }
  if (typeof input === 'object' && w.open.has(input)) {
    addIssue('DSL1005', `${label(where)} refers back to itself, which YAML cannot carry`, w.origin)
    return undefined
  }
  const expr = exprOf(input)
  if (expr !== undefined) return w.lookups ? checkedExpr(expr, where, w.origin) : noLookup(where, w.origin)
  const isArray = Array.isArray(input)
  if (!isArray && !(typeof input === 'object' && isPlainObject(input))) {
    const hint = 'pass strings, numbers, booleans, null, arrays, plain objects or pillar/grains lookups'
    addIssue('DSL1005', `${label(where)} is a ${describe(input)}, which Salt cannot receive`, w.origin, hint)
    return undefined
  }
  if (w.depth >= w.limit) {
    if (!w.tooDeep) {
      w.tooDeep = true
      addIssue(
        'DSL1051',
        `${label(w.top)} is nested deeper than ${w.limit} levels, more than Salt can read`,
        w.origin,
        "flatten the data: Salt reads and walks it recursively, within Python's recursion limit",
      )
    }
    return undefined
  }
  const collection = input as object
  w.open.add(collection)
  w.depth++
  let out: Value
  if (isArray) {
    const list = input as readonly unknown[]
    const items: Value[] = new Array(list.length)
    for (let i = 0; i < list.length; i++)
      items[i] = convert(list[i], () => `${label(where)}[${i}]`, w) ?? null
    out = Object.freeze(items)
  } else {
    const map: Record<string, Value> = {}
    const source = input as Record<string, unknown>
    for (const key of Object.keys(source)) {
      if (!wellFormed(key)) {
        const message = `${label(where)} has a key that is not valid Unicode (it holds a lone surrogate)`
        addIssue('DSL1050', message, w.origin, UNICODE_HINT)
        continue
      }
      const value = convert(source[key], () => `${label(where)}.${key}`, w)
      if (value === undefined) continue
      // a plain assignment to `__proto__` would set the prototype instead of adding the key
      if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true })
      else map[key] = value
    }
    out = Object.freeze(map)
  }
  w.depth--
  w.open.delete(collection)
  return out
}

/** Where only plain data goes (a machine's grains), a lookup or byPlatform has nothing to resolve against. */
function noLookup(where: string | (() => string), origin: Origin): undefined {
  const message = `${label(where)} is a pillar or grains lookup (or byPlatform), where plain data is needed`
  addIssue('DSL1053', message, origin, 'give the value itself')
  return undefined
}

/** An expression, unless a lookup's key or a template's text holds a lone surrogate (reported). */
function checkedExpr(expr: Expr, where: string | (() => string), origin: Origin): Expr | undefined {
  if (exprWellFormed(expr)) return expr
  addIssue(
    'DSL1050',
    `${label(where)} reads a key or joins text that is not valid Unicode`,
    origin,
    UNICODE_HINT,
  )
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
