import { JinjaExpr, protectFromJinja } from './jinja.ts'

export { JinjaExpr, jinjaLiteral } from './jinja.ts'

/** A value the emitter can write. Mappings keep insertion order. */
export type YamlNode =
  | null
  | boolean
  | number
  | string
  | JinjaExpr
  | readonly YamlNode[]
  | { readonly [key: string]: YamlNode }

/** `jinja: true` when the text passes through Salt's Jinja renderer before YAML (`jinja|yaml`). */
export interface EmitOptions {
  readonly jinja: boolean
}

/** A value the emitter cannot write (a compiler bug: earlier stages must not let it through). */
export class YamlEmitError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(`${message} at $${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`)
    this.name = 'YamlEmitError'
  }
}

type Scalar = string | number | boolean | null
type Mapping = { readonly [key: string]: YamlNode }
type Placed =
  | { readonly kind: 'inline'; readonly text: string }
  | { readonly kind: 'block'; readonly header: string; readonly lines: readonly string[] }
  | { readonly kind: 'map'; readonly value: Mapping }
  | { readonly kind: 'seq'; readonly value: readonly YamlNode[] }

interface Context {
  readonly jinja: boolean
  readonly path: (string | number)[]
  readonly open: Set<object>
}

/**
 * Writes a whole YAML document in hand-written Salt style: block collections, 2-space indentation,
 * `- key: value` items, `[]`/`{}` for empty collections, literal blocks for multi-line text. PyYAML (and so
 * Salt) reads back exactly the given value; with `jinja: true` the text also survives Jinja first.
 *
 * @example
 * emitYaml({ git: { 'pkg.installed': [{ name: 'git' }] } }, { jinja: false })
 * // 'git:\n  pkg.installed:\n    - name: git\n'
 * @throws {YamlEmitError} for a JinjaExpr without `jinja`, a lone surrogate, a cycle or a non-YAML value.
 */
export function emitYaml(doc: YamlNode, options: EmitOptions): string {
  const ctx: Context = { jinja: options.jinja, path: [], open: new Set() }
  const placed = place(doc, ctx)
  const lines =
    placed.kind === 'inline'
      ? [placed.text]
      : placed.kind === 'block'
        ? [placed.header, ...blockLines(placed.lines, 2, ctx)]
        : placed.kind === 'map'
          ? mappingLines(placed.value, 0, false, ctx)
          : sequenceLines(placed.value, 0, ctx)
  return `${lines.join('\n')}\n`
}

/**
 * One Salt state, `id:` / `  module.fun:` / `    - key: value` items: exactly what `emitYaml` writes for
 * `{ [id]: { [fun]: items.map(([k, v]) => ({ [k]: v })) } }`, without building that tree first.
 *
 * @example
 * emitState('git', 'pkg.installed', [['refresh', true]], { jinja: false })
 * // 'git:\n  pkg.installed:\n    - refresh: true\n'
 */
export function emitState(
  id: string,
  fun: string,
  items: readonly (readonly [string, YamlNode])[],
  options: EmitOptions,
): string {
  if (id.length > 200 || fun.length > 200 || items.some(([key]) => key.length > 200)) {
    const list = items.map(([key, value]) => ({ [key]: value }))
    return emitYaml({ [id]: { [fun]: list } }, options)
  }
  const ctx: Context = { jinja: options.jinja, path: [id, fun], open: new Set() }
  const head = `${cachedToken(id, ctx)}:\n  ${cachedToken(fun, ctx)}:`
  if (items.length === 0) return `${head} []\n`
  // one string built by concatenation: V8 joins the pieces once, when the text is first read
  let text = head
  for (let i = 0; i < items.length; i++) {
    const [key, value] = items[i]!
    ctx.path.push(i, key)
    // the common shapes (a scalar; a list of `module: id` requisites), written directly: the same lines
    // the general path below writes, without its intermediate arrays
    if (key.length <= 200 && isInlineScalar(value)) {
      text += `\n    - ${cachedToken(key, ctx)}: ${inlineScalar(value, ctx)}`
    } else if (key.length <= 200 && isListOfPairs(value)) {
      text += `\n    - ${cachedToken(key, ctx)}:`
      for (let j = 0; j < value.length; j++) {
        const item = value[j]!
        for (const k in item) {
          ctx.path.push(j, k)
          text += `\n      - ${cachedToken(k, ctx)}: ${inlineScalar(item[k]!, ctx)}`
          ctx.path.length -= 2
        }
      }
    } else {
      const lines = entryLines(key, value, 6, 6, ctx)
      text += `\n    - ${lines[0]!.slice(6)}`
      for (let j = 1; j < lines.length; j++) text += `\n${lines[j]}`
    }
    ctx.path.length -= 2
  }
  return `${text}\n`
}

/** A scalar that `place` writes inline (a string without a line break: no literal block). */
function isInlineScalar(value: YamlNode): value is Scalar {
  return (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && !value.includes('\n'))
  )
}

function inlineScalar(value: Scalar, ctx: Context): string {
  return typeof value === 'string' ? cachedToken(value, ctx) : scalarToken(value, ctx)
}

/** A non-empty list of plain one-key maps with inline scalars under short keys (requisite lists). */
function isListOfPairs(value: YamlNode): value is readonly { readonly [key: string]: Scalar }[] {
  if (!Array.isArray(value) || value.length === 0) return false
  for (const item of value as readonly YamlNode[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof JinjaExpr)
      return false
    const proto: unknown = Object.getPrototypeOf(item)
    if (proto !== Object.prototype && proto !== null) return false
    let keys = 0
    for (const key in item) {
      if (++keys > 1 || key.length > 200 || !isInlineScalar((item as Mapping)[key]!)) return false
    }
    if (keys !== 1) return false
  }
  return true
}

/**
 * One scalar in its inline form, as it would follow `key: ` (multi-line text is double-quoted here).
 *
 * @example
 * yamlScalar('on', { jinja: false }) // "'on'"
 * yamlScalar(1e21, { jinja: false }) // '1000000000000000000000'
 */
export function yamlScalar(value: Scalar, options: EmitOptions): string {
  const ctx: Context = { jinja: options.jinja, path: [], open: new Set() }
  return protect(typeof value === 'string' ? stringToken(value, ctx) : scalarToken(value, ctx), ctx)
}

function inline(text: string): Placed {
  return { kind: 'inline', text }
}

function place(value: YamlNode, ctx: Context): Placed {
  if (value instanceof JinjaExpr) return inline(jinjaExpr(value, ctx))
  if (Array.isArray(value)) return value.length === 0 ? inline('[]') : { kind: 'seq', value }
  if (typeof value === 'string') return literalBlock(value) ?? inline(cachedToken(value, ctx))
  if (typeof value === 'object' && value !== null) {
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) throw new YamlEmitError('not a plain object', ctx.path)
    const map = value as Mapping
    return Object.keys(map).length === 0 ? inline('{}') : { kind: 'map', value: map }
  }
  return inline(scalarToken(value, ctx))
}

function jinjaExpr(value: JinjaExpr, ctx: Context): string {
  if (!ctx.jinja) throw new YamlEmitError('JinjaExpr in a document that is not rendered by Jinja', ctx.path)
  return `{{ ${value.expr} }}`
}

function enter(collection: object, ctx: Context): void {
  if (ctx.open.has(collection)) throw new YamlEmitError('cyclic value', ctx.path)
  ctx.open.add(collection)
}

function mappingLines(map: Mapping, indent: number, inItem: boolean, ctx: Context): string[] {
  enter(map, ctx)
  const lines: string[] = []
  for (const [key, value] of Object.entries(map)) {
    ctx.path.push(key)
    for (const line of entryLines(key, value, indent, inItem ? indent : indent + 2, ctx)) lines.push(line)
    ctx.path.pop()
  }
  ctx.open.delete(map)
  return lines
}

/** Longest key PyYAML and libyaml accept as an implicit key (counted in code points up to the `:`). */
const maxImplicitKey = 1024

/** Written tokens of short strings (keys and values repeat across thousands of states). */
const tokens = [new Map<string, string>(), new Map<string, string>()] as const

/**
 * Text that is its own token: ASCII letters, digits and `_./-`, not starting with a digit, `-` or `.`
 * (so no number, date or indicator), and not one of YAML 1.1's words for booleans and null. Most IDs,
 * names and paths are; they skip the cache (each is written once or twice).
 */
const selfToken = /^[A-Za-z_/][\w./-]*$/
/** YAML 1.1's words for booleans and null, and the merge and value keys. */
const implicitWord = /^(?:y|n|yes|no|true|false|on|off|null|~|<<|=)$/i

function cachedToken(text: string, ctx: Context): string {
  if (text.length <= 200 && selfToken.test(text) && (text.length > 5 || !implicitWord.test(text))) return text
  if (text.length > 200) return protect(stringToken(text, ctx), ctx)
  const cache = tokens[ctx.jinja ? 1 : 0]
  let token = cache.get(text)
  if (token === undefined) {
    token = protect(stringToken(text, ctx), ctx)
    if (cache.size > 50_000) cache.clear()
    cache.set(text, token)
  }
  return token
}

function entryLines(key: string, value: YamlNode, indent: number, seqIndent: number, ctx: Context) {
  const pad = ' '.repeat(indent)
  if (key.length <= 200)
    return attach(`${pad}${cachedToken(key, ctx)}:`, place(value, ctx), indent, seqIndent, ctx)
  const token = stringToken(key, ctx)
  if (codePoints(token) <= maxImplicitKey) {
    return attach(`${pad}${protect(token, ctx)}:`, place(value, ctx), indent, seqIndent, ctx)
  }
  return [`${pad}? ${protect(token, ctx)}`, ...attach(`${pad}:`, place(value, ctx), indent, indent + 2, ctx)]
}

function sequenceLines(seq: readonly YamlNode[], indent: number, ctx: Context): string[] {
  enter(seq, ctx)
  const lines: string[] = []
  for (let i = 0; i < seq.length; i++) {
    ctx.path.push(i)
    for (const line of itemLines(seq[i] as YamlNode, indent, ctx)) lines.push(line)
    ctx.path.pop()
  }
  ctx.open.delete(seq)
  return lines
}

function itemLines(item: YamlNode, indent: number, ctx: Context): string[] {
  const placed = place(item, ctx)
  const dash = `${' '.repeat(indent)}-`
  if (placed.kind === 'inline' || placed.kind === 'block') return attach(dash, placed, indent, indent, ctx)
  const inner =
    placed.kind === 'map'
      ? mappingLines(placed.value, indent + 2, true, ctx)
      : sequenceLines(placed.value, indent + 2, ctx)
  const [first = '', ...rest] = inner
  return [`${dash} ${first.slice(indent + 2)}`, ...rest]
}

/** Lines for a value that follows `head`; `indent` is the parent collection's indentation. */
function attach(head: string, placed: Placed, indent: number, seqIndent: number, ctx: Context): string[] {
  switch (placed.kind) {
    case 'inline':
      return [`${head} ${placed.text}`]
    case 'block':
      return [`${head} ${placed.header}`, ...blockLines(placed.lines, indent + 2, ctx)]
    case 'map':
      return [head, ...mappingLines(placed.value, indent + 2, false, ctx)]
    case 'seq':
      return [head, ...sequenceLines(placed.value, seqIndent, ctx)]
  }
}

function blockLines(lines: readonly string[], indent: number, ctx: Context): string[] {
  const pad = ' '.repeat(indent)
  return lines.map((line) => (line === '' ? '' : `${pad}${protect(line, ctx)}`))
}

function protect(token: string, ctx: Context): string {
  return ctx.jinja ? protectFromJinja(token) : token
}

function codePoints(text: string): number {
  let n = 0
  for (const _ of text) n++
  return n
}

/**
 * A literal block (`|`, `|-`) for multi-line text whose every character YAML can carry raw. Text ending in
 * more than one newline is double-quoted instead: a `|+` block would also keep the blank line that
 * separates it from the next state when documents are joined.
 */
function literalBlock(text: string): Placed | undefined {
  if (!text.includes('\n')) return undefined
  const body = text.replace(/\n+$/, '')
  if (body === '' || unprintableInBlock.test(text)) return undefined
  const trailing = text.length - body.length
  if (trailing > 1) return undefined
  const chomp = trailing === 0 ? '-' : ''
  const lines = body.split('\n')
  const first = lines.find((line) => line !== '') ?? ''
  const indicator = /^[ \t]/.test(first) ? '2' : ''
  return { kind: 'block', header: `|${indicator}${chomp}`, lines }
}

/**
 * Characters YAML 1.1 readers take raw inside a line: printable, not a line break, not a tab, not a BOM
 * (nor U+2028/U+2029). Written once as regex ranges; `extra` adds what a literal block may also carry.
 */
const unprintableExcept = (extra: string) =>
  new RegExp(
    `[^${extra}\\x20-\\x7e\\xa0-\\ud7ff\\ue000-\\ufffd\\u{10000}-\\u{10ffff}]|[\\u2028\\u2029\\ufeff]`,
    'u',
  )
/** A character YAML cannot carry raw (one regex test instead of a walk that makes a string per character). */
const unprintable = unprintableExcept('')
const unprintableInBlock = unprintableExcept('\\n\\t')

function isPrintable(ch: string): boolean {
  return !unprintable.test(ch)
}

const loneSurrogate = /[\ud800-\udfff]/u

/** What YAML cannot read raw, lone surrogates included (a comment shows it escaped). */
const unprintableInComment = new RegExp(unprintable.source, 'gu')

/**
 * Free text as YAML comment lines (`# ...`), one per line of the text: a line break YAML knows (`\r`,
 * NEL, U+2028/2029 as well as `\n`) starts a new comment line, a character YAML cannot read raw (or a
 * lone surrogate) is shown as its escape, and with `jinja` no Jinja tag in it is rendered.
 *
 * @example
 * yamlComment('a\x85{{ b }}', { jinja: true }) // ['# a', '{{ "# {{ b }}" }}']
 */
export function yamlComment(text: string, options: EmitOptions): string[] {
  return text.split(/\r\n|[\n\r\x85\u2028\u2029]/).map((line) => {
    const shown =
      `# ${line.replace(unprintableInComment, (ch) => (ch === '\t' ? ch : hexEscape(ch)))}`.trimEnd()
    return options.jinja ? protectFromJinja(shown) : shown
  })
}

function stringToken(text: string, ctx: Context): string {
  if (loneSurrogate.test(text)) {
    throw new YamlEmitError('string holds a lone UTF-16 surrogate, which YAML cannot carry', ctx.path)
  }
  if (isPlainSafe(text)) return text
  if (unprintable.test(text)) return doubleQuoted(text)
  if (text.includes("'") && !/["\\]/.test(text)) return `"${text}"`
  return `'${text.replaceAll("'", "''")}'`
}

/** Plain scalars PyYAML's YAML 1.1 resolver (or a stricter reader) would not read as a string. */
const implicitTypes = [
  implicitWord,
  /^[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-f_]+|[0-9][0-9_]*)$/i,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)(?:e[-+]?[0-9]+)?$/i,
  /^[-+]?\.(?:inf|nan)$/i,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
]

const indicators = new Set('-?:,[]{}#&*!|>\'"%@`')

function isPlainSafe(text: string): boolean {
  const first = text[0]
  if (first === undefined || indicators.has(first) || first === ' ' || text.endsWith(' ')) return false
  if (text.endsWith(':') || text.includes(': ') || text.includes(' #') || text.startsWith('...')) return false
  return !unprintable.test(text) && !looksImplicit(text)
}

/** Whether an implicit type could match: those all start with `[-+.0-9~<=]`, or are a word of up to 5 letters. */
function looksImplicit(text: string): boolean {
  const c = text.charCodeAt(0)
  const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46
  if (!numeric && text.length > 5) return false
  return implicitTypes.some((type) => type.test(text))
}

const escapes: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\x1b': '\\e',
}

function doubleQuoted(text: string): string {
  let out = '"'
  for (const ch of text) out += escapes[ch] ?? (isPrintable(ch) ? ch : hexEscape(ch))
  return `${out}"`
}

function hexEscape(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`
  return cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`
}

function scalarToken(value: unknown, ctx: Context): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return numberToken(value)
  throw new YamlEmitError(`cannot emit a value of type ${typeof value}`, ctx.path)
}

function numberToken(n: number): string {
  if (Number.isNaN(n)) return '.nan'
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf'
  if (Object.is(n, -0)) return '-0.0'
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString()
  const [mantissa = '', exponent] = String(n).split('e')
  if (exponent === undefined) return mantissa
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${exponent}`
}
