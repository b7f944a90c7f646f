/**
 * Where each key of an object literal passed to a builder sits in the source (`layer('x', { a: { b: 1 } })`
 * → `a.b` at line:col), found by scanning the text from the call site. Falls back to the call site.
 */
import { readFileSync } from 'node:fs'
import type { Origin } from '../../dsl/ir.ts'

type Positions = Map<string, Origin>
const cache = new Map<string, Positions>()
const files = new Map<string, string | undefined>()

function source(file: string): string | undefined {
  if (!files.has(file)) {
    try {
      files.set(file, readFileSync(file, 'utf8'))
    } catch {
      files.set(file, undefined)
    }
  }
  return files.get(file)
}

/** The origin of `path` inside the object literal that is argument `arg` of the call at `call`. */
export function keyOrigin(call: Origin, arg: number, path: readonly (string | number)[]): Origin {
  const key = `${call.file}:${call.line}:${call.column}:${arg}`
  let positions = cache.get(key)
  if (positions === undefined) {
    positions = scan(call, arg)
    cache.set(key, positions)
  }
  for (let n = path.length; n > 0; n--) {
    const found = positions.get(path.slice(0, n).join('\0'))
    if (found !== undefined) return found
  }
  return call
}

function scan(call: Origin, arg: number): Positions {
  const out: Positions = new Map()
  const text = source(call.file)
  if (text === undefined) return out
  const lines = text.split('\n')
  let i = lines.slice(0, call.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, call.column - 1)
  const at = (offset: number): Origin => {
    const before = text.slice(0, offset)
    const line = before.split('\n').length
    return { file: call.file, line, column: offset - before.lastIndexOf('\n') }
  }
  // find the opening `(` of the call, then argument `arg` at depth 1
  i = text.indexOf('(', i)
  if (i < 0) return out
  let depth = 0
  let commas = 0
  const stack: string[] = []
  let pendingKey: { name: string; offset: number } | undefined
  let lastKey: string | undefined
  let inTarget = false
  let objectDepth = 0
  for (; i < text.length; i++) {
    const c = text[i]!
    if (c === '/' && text[i + 1] === '/')
      i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i)
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i) + 1
    else if (c === "'" || c === '"' || c === '`') {
      const end = skipString(text, i)
      if (inTarget) pendingKey = { name: text.slice(i + 1, end), offset: i }
      i = end
      continue
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i))!
      if (inTarget) pendingKey = { name: m[0], offset: i }
      i += m[0].length - 1
      continue
    } else if (c === ':' && inTarget && pendingKey !== undefined && depth === objectDepth) {
      out.set([...stack, pendingKey.name].join('\0'), at(pendingKey.offset))
      lastKey = pendingKey.name
    } else if (c === '{' || c === '[' || c === '(') {
      depth++
      if (c === '{' && !inTarget && depth === 2 && commas === arg) {
        inTarget = true
        objectDepth = depth
      } else if (c === '{' && inTarget && depth === objectDepth + 1 && lastKey !== undefined) {
        stack.push(lastKey)
        objectDepth = depth
      }
    } else if (c === '}' || c === ']' || c === ')') {
      if (inTarget && c === '}' && depth === objectDepth) {
        if (stack.length === 0) return out
        stack.pop()
        objectDepth--
      }
      depth--
      if (depth === 0) return out
    } else if (c === ',' && depth === 1) commas++
    if (c === ',' || c === ':') pendingKey = undefined
  }
  return out
}

function skipString(text: string, start: number): number {
  const quote = text[start]
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === quote) return i
  }
  return text.length
}
