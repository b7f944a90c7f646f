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
 * A module's compiled text with its builder calls located, and where each located call's insertion
 * starts in it (the offset of its `.__salt_dsl_at`; the rest is read back from the text when needed).
 */
export interface Located {
  readonly code: string
  readonly sites: readonly number[]
}

/**
 * Writes each call esbuild compiled from a named import of a located builder, `(0, ns.pkg)(a)`, as
 * `(0, ns.pkg.__salt_dsl_at)(__salt_dsl_file, line, column, a)`: line and column are those V8 reports
 * for the call (the `(` of its arguments, in the wrapped script), so the origin is the one a stack
 * capture gives. A match counts only where the source, at the position the source map gives the call,
 * calls the builder by the name it imported it as: text inside a string or template literal (whose
 * position is its quote, or text that is not such a call) is never touched.
 */
export function writeCallSites(code: string, map: string, source: string, wrapperLines: number): Located {
  const bindings = [...code.matchAll(API_IMPORT)].map((m) => m[1]!)
  if (bindings.length === 0) return { code, sites: [] }
  const escaped = bindings.map((b) => b.replace(/\$/g, '\\$')).join('|')
  const call = new RegExp(`\\(0, (?:${escaped})\\.([A-Za-z_$][\\w$]*)\\)\\(`, 'g')
  const imported = importedNames(source)
  const sourceLines = source.split('\n')
  let decoded: LineIndexedMap | undefined
  const lines = lineIndex(code)
  const parts: string[] = []
  const sites: number[] = []
  let last = 0
  let written = 0
  for (const m of code.matchAll(call)) {
    if (!LOCATED.has(m[1]!)) continue
    const at = m.index
    const [line, column] = lines.at(at)
    decoded ??= new LineIndexedMap(map)
    // the source there must call the builder by the name it was imported as
    const named = decoded.originalPositionFor(line + 1, column + 4)
    const text = named && sourceLines[named.line - 1]?.slice(named.column)
    const called = text === undefined ? undefined : CALLED.exec(text)?.[1]
    if (called === undefined || imported.get(called) !== m[1]) continue
    const close = at + m[0].length - 2 // the `)` before the arguments
    const paren = close + 1
    const empty = code[paren + 1] === ')'
    const position = `${FILE_PARAMETER}, ${line + 1 + wrapperLines}, ${column + paren - at + 1}`
    const before = code.slice(last, close)
    sites.push(written + before.length)
    const added = [before, PROPERTY, code.slice(close, paren + 1), empty ? position : `${position}, `]
    parts.push(...added)
    for (const part of added) written += part.length
    last = paren + 1
  }
  if (sites.length === 0) return { code, sites: [] }
  parts.push(code.slice(last))
  return { code: parts.join(''), sites }
}

const PROPERTY = `.${LOCATED_PROPERTY}`
/** What follows a site's `)(`: the position, and `, ` before arguments there were. */
const POSITION = new RegExp(`${FILE_PARAMETER}, \\d+, \\d+(?:, )?`, 'y')

/**
 * The located text's insertions by line (0-based): pairs of start column and length, in order. Made
 * only to map a position V8 reported in a module with located calls (a builder not called by its
 * import, an error thrown).
 */
export function insertionsOf(code: string, sites: readonly number[]): Map<number, number[]> {
  const lines = lineIndex(code)
  const byLine = new Map<number, number[]>()
  for (const site of sites) {
    const [line, column] = lines.at(site)
    POSITION.lastIndex = site + PROPERTY.length + 2
    const args = POSITION.exec(code)?.[0].length ?? 0
    const list = byLine.get(line) ?? []
    list.push(column, PROPERTY.length, column + PROPERTY.length + 2, args)
    byLine.set(line, list)
  }
  return byLine
}

/**
 * Line and column (0-based) of offsets into `text`, asked in increasing order (each answer moves on from
 * the one before).
 */
function lineIndex(text: string): { at(offset: number): [line: number, column: number] } {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  let line = 0
  return {
    at(offset) {
      while (line + 1 < starts.length && starts[line + 1]! <= offset) line++
      return [line, offset - starts[line]!]
    },
  }
}

/** An identifier called right where it starts (type arguments and `?.` allowed). */
const CALLED = /^([A-Za-z_$][\w$]*)\s*(?:\(|<|\?\.)/

const IMPORT_CLAUSE =
  /\bimport\s+(?:type\s+)?(?:[A-Za-z_$][\w$]*\s*,\s*)?\{([^}]*)\}\s*from\s*(['"])salt-dsl\2/g

/** The authoring API's named imports in a module's source: local name → exported name. */
function importedNames(source: string): Map<string, string> {
  const names = new Map<string, string>()
  for (const clause of source.matchAll(IMPORT_CLAUSE)) {
    const list = clause[1]!.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ')
    for (const item of list.split(',')) {
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
export function columnBefore(insertions: readonly number[] | undefined, column: number): number {
  if (insertions === undefined) return column
  let shift = 0
  for (let i = 0; i < insertions.length; i += 2) {
    const at = insertions[i]!
    if (column < at) break
    const length = insertions[i + 1]!
    if (column < at + length) return at - shift
    shift += length
  }
  return column - shift
}
