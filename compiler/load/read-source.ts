import { isUtf8 } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { type Diagnostic, error } from '../diagnostics.ts'

/**
 * A config file's text. Decoding bytes that are not UTF-8 would replace them with U+FFFD without a
 * word (a Latin-1 `é` in a string would reach Salt as `�`): such a file is a diagnostic at the first
 * bad byte instead. A byte-order mark is fine (esbuild and tsc skip it).
 */
export function readSource(file: string): { source: string } | { diagnostic: Diagnostic } {
  const bytes = readFileSync(file)
  if (isUtf8(bytes)) return { source: bytes.toString('utf8') }
  const at = firstInvalidByte(bytes)
  const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1
  let line = 1
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++
  const before = bytes.subarray(lineStart, at).toString('utf8')
  // columns are counted as editors count them: without the byte-order mark
  const column = before.length + 1 - (lineStart === 0 && before.startsWith('\uFEFF') ? 1 : 0)
  const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')
  const origin = { file, line, column }
  return {
    diagnostic: error('DSL1034', `the file is not valid UTF-8: byte 0x${byte} at line ${line}`, origin, {
      hint: 'save the file as UTF-8 (a Latin-1 or Windows-1252 editor setting writes such bytes)',
    }),
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    if (c < 0x80) {
      i++
      continue
    }
    // the sequence's length, and the range its second byte must be in (no overlong forms, no
    // surrogates, nothing past U+10FFFF)
    let n: number
    let lo = 0x80
    let hi = 0xbf
    if (c >= 0xc2 && c <= 0xdf) n = 2
    else if (c >= 0xe0 && c <= 0xef) {
      n = 3
      if (c === 0xe0) lo = 0xa0
      if (c === 0xed) hi = 0x9f
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4
      if (c === 0xf0) lo = 0x90
      if (c === 0xf4) hi = 0x8f
    } else return i
    const second = b[i + 1]
    if (second === undefined || second < lo || second > hi) return i
    for (let k = 2; k < n; k++) {
      const next = b[i + k]
      if (next === undefined || next < 0x80 || next > 0xbf) return i
    }
    i += n
  }
  return b.length
}
