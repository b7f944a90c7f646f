import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LineIndexedMap } from '../../compiler/load/source-map.ts'

/** One decoded segment: generated column, and where it maps (absent for a 1-field segment). */
type Segment = {
  column: number
  to?: { source: number; line: number; column: number; name?: number | undefined } | undefined
}

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1
  let out = ''
  do {
    let digit = v & 31
    v >>>= 5
    if (v > 0) digit |= 32
    out += CHARS[digit]
  } while (v > 0)
  return out
}

/** A reference encoder: the format's deltas written out plainly. */
function encode(lines: Segment[][]): string {
  let source = 0
  let line = 0
  let column = 0
  let name = 0
  return lines
    .map((segments) => {
      let gen = 0
      return segments
        .map((s) => {
          let out = vlq(s.column - gen)
          gen = s.column
          if (s.to) {
            out += vlq(s.to.source - source) + vlq(s.to.line - line) + vlq(s.to.column - column)
            ;({ source, line, column } = s.to)
            if (s.to.name !== undefined) {
              out += vlq(s.to.name - name)
              name = s.to.name
            }
          }
          return out
        })
        .join(',')
    })
    .join(';')
}

/** The reference lookup: the first segment of the greatest column at or before the one asked. */
function lookup(lines: Segment[][], sources: string[], line: number, column: number) {
  const segments = lines[line - 1] ?? []
  let best: Segment | undefined
  for (const s of segments) if (s.column <= column && (best === undefined || s.column > best.column)) best = s
  if (best?.to === undefined) return undefined
  return { source: sources[best.to.source]!, line: best.to.line + 1, column: best.to.column }
}

const segment = fc.record({
  column: fc.nat(300),
  to: fc.option(
    fc.record({
      source: fc.nat(3),
      line: fc.nat(5000),
      column: fc.nat(400),
      name: fc.option(fc.nat(20), { nil: undefined }),
    }),
    { nil: undefined },
  ),
})
const mapLines = fc.array(
  fc.array(segment, { maxLength: 12 }).map((segs) => segs.sort((a, b) => a.column - b.column)),
  { maxLength: 40 },
)
const SOURCES = ['a.ts', '../b.ts', 'dir/c.ts', 'd.ts']

describe('the line-indexed source map', () => {
  it('finds what a full decode finds, at every column of every line', () => {
    fc.assert(
      fc.property(mapLines, (lines) => {
        const map = new LineIndexedMap(
          JSON.stringify({ version: 3, sources: SOURCES, mappings: encode(lines) }),
        )
        for (let line = 0; line <= lines.length + 1; line++) {
          for (let column = 0; column <= 310; column += 7) {
            expect(map.originalPositionFor(line, column)).toEqual(lookup(lines, SOURCES, line, column))
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('maps a real bundle line to its source and prefixes sourceRoot', () => {
    // line 1: column 4 → src/x.ts line 3 column 2; line 2: column 0 → line 4 column 0
    const map = new LineIndexedMap(
      JSON.stringify({ version: 3, sourceRoot: 'root', sources: ['src/x.ts'], mappings: 'IAEE;AACF' }),
    )
    expect(map.originalPositionFor(1, 3)).toBeUndefined()
    expect(map.originalPositionFor(1, 4)).toEqual({ source: 'root/src/x.ts', line: 3, column: 2 })
    expect(map.originalPositionFor(2, 9)).toEqual({ source: 'root/src/x.ts', line: 4, column: 0 })
    expect(map.originalPositionFor(3, 0)).toBeUndefined()
  })

  it('rejects a corrupt mappings string instead of mapping garbage', () => {
    expect(() => new LineIndexedMap(JSON.stringify({ version: 3, sources: [], mappings: 'AA!A' }))).toThrow(
      /bad VLQ character at offset 2/,
    )
  })
})
