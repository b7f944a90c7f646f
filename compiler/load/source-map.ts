/**
 * Original positions for a few thousand points of a large generated file, without decoding its whole
 * source map into objects (a full decode of a 100k-state config's map held 55 MB and took 130 ms).
 *
 * One pass over `mappings` records, per generated line, where its segments start and the decoder state
 * there (source, original line and column are deltas that run on across lines); a lookup then decodes
 * only its own line.
 */

export interface OriginalPosition {
  /** As listed in the map's `sources`. */
  readonly source: string
  /** 1-based. */
  readonly line: number
  /** 0-based. */
  readonly column: number
}

interface RawMap {
  readonly sources?: readonly (string | null)[]
  readonly sourceRoot?: string
  readonly mappings?: string
}

const BASE64 = new Int8Array(128).fill(-1)
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  BASE64[c.charCodeAt(0)] = i

const SEMICOLON = 59
const COMMA = 44

export class LineIndexedMap {
  readonly #mappings: string
  readonly #sources: readonly (string | null)[]
  /** Per generated line (0-based): offset of its first segment, and the running deltas before it. */
  readonly #start: Int32Array
  readonly #source: Int32Array
  readonly #line: Int32Array
  readonly #column: Int32Array
  /** The segment last read: up to five deltas, and how many fields it had. */
  readonly #segment = new Int32Array(5)
  #fields = 0

  constructor(json: string) {
    const raw = JSON.parse(json) as RawMap
    const root = raw.sourceRoot ? `${raw.sourceRoot.replace(/\/?$/, '/')}` : ''
    this.#sources = (raw.sources ?? []).map((s) => (s === null ? null : root + s))
    const mappings = raw.mappings ?? ''
    this.#mappings = mappings
    let lines = 1
    for (let i = mappings.indexOf(';'); i !== -1; i = mappings.indexOf(';', i + 1)) lines++
    const start = new Int32Array(lines + 1)
    const sources = new Int32Array(lines)
    const origLines = new Int32Array(lines)
    const origColumns = new Int32Array(lines)
    this.#start = start
    this.#source = sources
    this.#line = origLines
    this.#column = origColumns
    // the same decoding as #readSegment, inlined: this pass reads every segment of a multi-megabyte map
    // (through #readSegment it took twice as long: 14 ms instead of 7 at 20k states)
    let source = 0
    let line = 0
    let column = 0
    let n = 0
    let field = 0
    let value = 0
    let shift = 0
    for (let i = 0; i < mappings.length; i++) {
      const c = mappings.charCodeAt(i)
      if (c === SEMICOLON) {
        field = 0
        n++
        start[n] = i + 1
        sources[n] = source
        origLines[n] = line
        origColumns[n] = column
        continue
      }
      if (c === COMMA) {
        field = 0
        continue
      }
      const digit = c < 128 ? BASE64[c]! : -1
      if (digit < 0) throw new Error(`invalid source map: bad VLQ character at offset ${i}`)
      value += shift < 25 ? (digit & 31) << shift : (digit & 31) * 2 ** shift
      shift += 5
      if (digit & 32) continue
      // field 0 (generated column) resets per line; 1-3 (source, line, column) run on; 4 is a name
      if (field !== 0 && field < 4) {
        const delta = value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2)
        if (field === 1) source += delta
        else if (field === 2) line += delta
        else column += delta
      }
      value = 0
      shift = 0
      field++
    }
    start[lines] = mappings.length + 1
  }

  /**
   * The original position of generated `line` (1-based) and `column` (0-based): the segment that starts
   * at or before the column on that line, as source-map consumers do; undefined where nothing maps.
   */
  originalPositionFor(line: number, column: number): OriginalPosition | undefined {
    const n = line - 1
    if (n < 0 || n >= this.#source.length) return undefined
    const end = this.#start[n + 1]! - 1
    const seg = this.#segment
    let source = this.#source[n]!
    let origLine = this.#line[n]!
    let origColumn = this.#column[n]!
    let genColumn = 0
    let foundAt = -1
    let found: OriginalPosition | undefined
    for (let i = this.#start[n]!; i < end; ) {
      if (this.#mappings.charCodeAt(i) === COMMA) {
        i++
        continue
      }
      i = this.#readSegment(i)
      genColumn += seg[0]!
      if (genColumn > column) break
      // of several segments at one column, the first counts
      const first = genColumn !== foundAt
      foundAt = genColumn
      if (this.#fields >= 4) {
        source += seg[1]!
        origLine += seg[2]!
        origColumn += seg[3]!
        const name = this.#sources[source]
        if (first) found = name == null ? undefined : { source: name, line: origLine + 1, column: origColumn }
      } else if (first) {
        found = undefined
      }
    }
    return found
  }

  /** Decodes the segment at `i` into #segment (its deltas) and #fields; returns where the next one starts. */
  #readSegment(i: number): number {
    const mappings = this.#mappings
    const seg = this.#segment
    let fields = 0
    let value = 0
    let shift = 0
    for (; i < mappings.length; i++) {
      const c = mappings.charCodeAt(i)
      if (c === COMMA || c === SEMICOLON) break
      const digit = c < 128 ? BASE64[c]! : -1
      if (digit < 0) throw new Error(`invalid source map: bad VLQ character at offset ${i}`)
      value += shift < 25 ? (digit & 31) << shift : (digit & 31) * 2 ** shift
      shift += 5
      if (digit & 32) continue
      if (fields < 5) seg[fields] = value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2)
      fields++
      value = 0
      shift = 0
    }
    this.#fields = fields
    return i
  }
}
