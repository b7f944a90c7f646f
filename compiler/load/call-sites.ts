// Call positions written into a config module's compiled text, so that a builder call needs no stack
// capture to know where it was made (V8's capture costs about 3 µs per call: a tenth of a 20k-state build).
import { LOCATED_BUILDERS, LOCATED_PROPERTY } from '../../dsl/origin.ts'
import { LineIndexedMap } from './source-map.ts'

/** The wrapper's parameter that holds the module's file name (what V8 would report as the frame's file). */
export const FILE_PARAMETER = '__salt_dsl_file'

const LOCATED: ReadonlySet<string> = new Set(LOCATED_BUILDERS)

/** esbuild's binding of an import of the authoring API (`var import_salt_dsl = require("salt-dsl");`). */
const API_IMPORT = /^var ([A-Za-z_$][\w$]*) = (?:__toESM\()?require\("salt-dsl"\)/gm

/**
 * A module's compiled text with its builder calls located, and where text went in: per insertion, the
 * 0-based line, the column in the text before (0-based) and the length written there.
 */
export interface Located {
  readonly code: string
  readonly insertions: readonly number[]
}

/**
 * Writes each call esbuild compiled from a named import of a located builder, `(0, ns.pkg)(a)`, as
 * `(0, ns.pkg.__salt_dsl_at)(__salt_dsl_file, line, column, a)`: line and column are those V8 reports
 * for the call (the `(` of its arguments, in the wrapped script), so the origin is the one a stack
 * capture gives. A match counts only where the source map has a segment of its own that leads to
 * an identifier in the source: text inside a string or template literal is never touched.
 */
export function locateCalls(code: string, map: string, source: string, wrapperLines: number): Located {
  const bindings = [...code.matchAll(API_IMPORT)].map((m) => m[1]!)
  if (bindings.length === 0) return { code, insertions: [] }
  const escaped = bindings.map((b) => b.replace(/\$/g, '\\$')).join('|')
  const call = new RegExp(`\\(0, (?:${escaped})\\.([A-Za-z_$][\\w$]*)\\)\\(`, 'g')
  const imported = importedNames(source)
  const sourceLines = source.split('\n')
  let decoded: LineIndexedMap | undefined
  const lineStarts = [0]
  for (let i = code.indexOf('\n'); i !== -1; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  let line = 0
  const parts: string[] = []
  const insertions: number[] = []
  let last = 0
  for (const m of code.matchAll(call)) {
    if (!LOCATED.has(m[1]!)) continue
    const at = m.index
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= at) line++
    const column = at - lineStarts[line]!
    decoded ??= new LineIndexedMap(map)
    // the source there must call the builder by the name it was imported as
    const named = decoded.originalPositionFor(line + 1, column + 4)
    const text = named && sourceLines[named.line - 1]?.slice(named.column)
    const called = text === undefined ? undefined : CALLED.exec(text)?.[1]
    if (called === undefined || imported.get(called) !== m[1]) continue
    const close = at + m[0].length - 2 // the `)` before the arguments
    const paren = close + 1
    const empty = code[paren + 1] === ')'
    const position = `${FILE_PARAMETER}, ${line + 1 + wrapperLines}, ${paren - lineStarts[line]! + 1}`
    const property = `.${LOCATED_PROPERTY}`
    const args = empty ? position : `${position}, `
    parts.push(code.slice(last, close), property, code.slice(close, paren + 1), args)
    last = paren + 1
    insertions.push(
      line,
      close - lineStarts[line]!,
      property.length,
      line,
      paren + 1 - lineStarts[line]!,
      args.length,
    )
  }
  if (insertions.length === 0) return { code, insertions: [] }
  parts.push(code.slice(last))
  return { code: parts.join(''), insertions }
}

/** An identifier called right where it starts (type arguments and `?.` allowed). */
const CALLED = /^([A-Za-z_$][\w$]*)\s*(?:\(|<|\?\.)/

const IMPORT_CLAUSE =
  /\bimport\s+(?:type\s+)?(?:[A-Za-z_$][\w$]*\s*,\s*)?\{([^}]*)\}\s*from\s*(['"])salt-dsl\2/g

/** The authoring API's named imports in a module's source: local name → exported name. */
function importedNames(source: string): Map<string, string> {
  const names = new Map<string, string>()
  for (const clause of source.matchAll(IMPORT_CLAUSE)) {
    for (const item of clause[1]!.split(',')) {
      const words = item.trim().split(/\s+/)
      if (words[0] === 'type') continue
      const [exported, as, local] = words
      if (exported === undefined || exported === '') continue
      names.set(as === 'as' && local !== undefined ? local : exported, exported)
    }
  }
  return names
}

/**
 * A column V8 reports in the located text (0-based) → the column in the text esbuild wrote: the
 * insertions before it taken off (a column inside an insertion is where the insertion went).
 */
export function columnBefore(
  insertions: readonly number[] | undefined,
  line: number,
  column: number,
): number {
  if (insertions === undefined) return column
  let shift = 0
  for (let i = 0; i < insertions.length; i += 3) {
    if (insertions[i] !== line) continue
    const at = insertions[i + 1]! + shift
    if (column < at) break
    const length = insertions[i + 2]!
    if (column < at + length) return insertions[i + 1]!
    shift += length
  }
  return column - shift
}
