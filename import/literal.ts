// Plain data as TypeScript source: object keys bare where they are identifiers, strings single-quoted (the
// house style) with JSON's escapes.

import { PerOs } from './per-os.ts'

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `text` as a single-quoted TypeScript string. */
export function tsString(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`
}

/** A TypeScript key for `key`: bare when it is an identifier, quoted otherwise. */
export function tsKey(key: string): string {
  return IDENT.test(key) ? key : tsString(key)
}

/** `value` (JSON data, as Salt's JSON output gives it) as a TypeScript expression. */
export function tsLiteral(value: unknown, indent = ''): string {
  if (value instanceof PerOs) {
    const cases = [...value.values].map(
      ([os, v]) => `${indent}    ${tsKey(os)}: ${tsLiteral(v, `${indent}    `)},`,
    )
    return `byPlatform({\n${indent}  os: {\n${cases.join('\n')}\n${indent}  },\n${indent}})`
  }
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return tsString(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[\n${value.map((v) => `${inner}${tsLiteral(v, inner)},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return '{}'
  const body = entries.map(([k, v]) => `${inner}${tsKey(k)}: ${tsLiteral(v, inner)},`).join('\n')
  return `{\n${body}\n${indent}}`
}

/** The variable of the handle on state `id` of `module`: `user`, `account ada` → `userAccountAda`. */
export function handleName(module: string, id: string): string {
  const words = `${module} ${id}`.split(/[^A-Za-z0-9]+/).filter((w) => w !== '')
  const name = words.map((w, i) => (i === 0 ? w : `${w.charAt(0).toUpperCase()}${w.slice(1)}`)).join('')
  // a module's name alone is its builder's
  const whole = words.length > 1 ? name : `${name}State`
  return /^[A-Za-z_$]/.test(whole) ? whole : `_${whole}`
}
