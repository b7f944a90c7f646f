/**
 * Evaluates top-file targets the way Salt's matchers do, for a minion id and its grains: globs on the id,
 * grain matches (`key:sub:value`, glob on the value, any item of a list grain), and compound expressions
 * with `G@`, `L@`, `and`, `or`, `not` and parentheses.
 */
import type { Target } from '../../dsl/ir.ts'
import { type Data, isDict } from './merge.ts'

export interface Minion {
  readonly id: string
  readonly grains: { readonly [grain: string]: Data }
}

/** fnmatch: `*`, `?`, `[seq]`, `[!seq]`, everything else literal. */
export function globMatch(text: string, pattern: string): boolean {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*') re += '.*'
    else if (c === '?') re += '.'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end === -1) re += '\\['
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\')
        if (body.startsWith('!')) body = `^${body.slice(1)}`
        re += `[${body}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 's').test(text)
}

/** `G@os_family:Debian`: walks nested grains by `:` and globs the rest against the value. */
export function grainMatch(grains: Minion['grains'], expression: string): boolean {
  const parts = expression.split(':')
  for (let n = parts.length - 1; n >= 1; n--) {
    let cur: Data | undefined = grains as Data
    for (const key of parts.slice(0, n)) cur = isDict(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined
    if (cur === undefined) continue
    if (valueMatch(cur, parts.slice(n).join(':'))) return true
  }
  return false
}

function valueMatch(value: Data, pattern: string): boolean {
  if (Array.isArray(value)) return value.some((v) => valueMatch(v as Data, pattern))
  if (isDict(value)) return Object.hasOwn(value, pattern)
  return globMatch(pyStr(value), pattern)
}

const pyStr = (v: Data) => (v === null ? 'None' : v === true ? 'True' : v === false ? 'False' : String(v))

/** A compound expression; unknown matcher prefixes never match. */
export function compoundMatch(m: Minion, expression: string): boolean {
  const words = expression.split(/\s+/).filter(Boolean)
  let pos = 0
  const peek = () => words[pos]
  const orExpr = (): boolean => {
    let v = andExpr()
    while (peek() === 'or') {
      pos++
      const r = andExpr()
      v = v || r
    }
    return v
  }
  const andExpr = (): boolean => {
    let v = notExpr()
    while (peek() === 'and') {
      pos++
      const r = notExpr()
      v = v && r
    }
    return v
  }
  const notExpr = (): boolean => {
    if (peek() === 'not') {
      pos++
      return !notExpr()
    }
    return atom()
  }
  const atom = (): boolean => {
    const w = words[pos++] ?? ''
    if (w === '(') {
      const v = orExpr()
      pos++
      return v
    }
    if (w.startsWith('G@')) return grainMatch(m.grains, w.slice(2))
    if (w.startsWith('L@')) return w.slice(2).split(',').includes(m.id)
    if (/^[A-Z]@/.test(w)) return false
    return globMatch(m.id, w)
  }
  return orExpr()
}

export function targetMatches(t: Target, m: Minion): boolean {
  if (t.match === 'glob') return globMatch(m.id, t.pattern)
  if (t.match === 'grain') return grainMatch(m.grains, `${t.grain}:${t.value}`)
  return compoundMatch(m, t.expression)
}
