/**
 * A raw Jinja expression, emitted as `{{ expr }}` verbatim when the output passes through Salt's Jinja renderer.
 *
 * @example
 * emitYaml({ user: new JinjaExpr("salt['pillar.get']('app:user') | tojson") }, { jinja: true })
 * // "user: {{ salt['pillar.get']('app:user') | tojson }}\n"
 */
export class JinjaExpr {
  constructor(readonly expr: string) {}
}

const delimiter = /\{[{%#]/

/**
 * True when Jinja (default delimiters) would treat part of `text` as a tag: `{{`, `{%` or `{#`.
 *
 * @example
 * hasJinjaDelimiter('a {{ b }}') // true
 */
export function hasJinjaDelimiter(text: string): boolean {
  return delimiter.test(text)
}

const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * A double-quoted Jinja string literal that renders exactly `text`. Jinja reads string literals with Python's
 * unicode-escape after normalising raw newlines, so backslashes, quotes, line breaks and other control or
 * invisible characters are escaped; printable non-ASCII text stays readable.
 *
 * @example
 * jinjaLiteral('say "hi"\n') // '"say \\"hi\\"\\n"'
 */
export function jinjaLiteral(text: string): string {
  let out = '"'
  for (const ch of text) out += named[ch] ?? escapeInvisible(ch)
  return `${out}"`
}

function escapeInvisible(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0
  const visible = (cp >= 0x20 && cp < 0x7f) || (cp > 0xa0 && !isInvisible(cp))
  if (visible) return ch
  const hex = cp.toString(16).padStart(cp < 0x100 ? 2 : cp < 0x10000 ? 4 : 8, '0')
  return cp < 0x100 ? `\\x${hex}` : cp < 0x10000 ? `\\u${hex}` : `\\U${hex}`
}

function isInvisible(cp: number): boolean {
  return (cp >= 0xd800 && cp <= 0xdfff) || [0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff].includes(cp)
}

/**
 * Writes a YAML token so that Jinja outputs it unchanged: tokens holding a Jinja delimiter become
 * `{{ "<literal>" }}`, others stay as they are.
 *
 * @example
 * protectFromJinja("'{{ x }}'") // `{{ "'{{ x }}'" }}`
 */
export function protectFromJinja(token: string): string {
  return hasJinjaDelimiter(token) ? `{{ ${jinjaLiteral(token)} }}` : token
}
