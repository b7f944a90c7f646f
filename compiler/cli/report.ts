import { styleText } from 'node:util'
import { type Diagnostic, diagnosticsJson, formatDiagnostic } from '../diagnostics.ts'

/** Prints diagnostics as text (stderr) or JSON (stdout); returns the exit code they imply. */
export function report(diagnostics: readonly Diagnostic[], format: string | undefined): number {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  if (format === 'json') {
    process.stdout.write(diagnosticsJson(diagnostics))
  } else {
    const color = colorOn(process.stderr)
    for (const d of diagnostics) {
      const text = formatDiagnostic(d)
      process.stderr.write(`${color ? colorDiagnostic(d, text) : text}\n\n`)
    }
    if (diagnostics.length > 0) {
      const e = plural(errors, 'error')
      const w = plural(warnings, 'warning')
      process.stderr.write(
        color
          ? `${errors > 0 ? paint('red', e, true) : e}, ${warnings > 0 ? paint('yellow', w, true) : w}\n`
          : `${e}, ${w}\n`,
      )
    }
  }
  return errors > 0 ? 1 : 0
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR wins (as in Node itself; `0` or `false` turns it
 * off), then NO_COLOR (any value but empty), then a terminal that is not `dumb`. A pipe or a file is plain.
 */
export function colorOn(stream: { isTTY?: boolean } = process.stdout, env = process.env): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true && env.TERM !== 'dumb'
}

type Style = 'red' | 'yellow' | 'cyan' | 'green' | 'dim' | 'bold' | 'magenta'

// Node's util.styleText; told not to look at stdout itself (Node 22 would), since colorOn has decided
// for the stream the text goes to. Node 20 ignores the option.
const style = styleText as (format: Style, text: string, options?: { validateStream: boolean }) => string

/** `text` in `format` when the stream (stdout unless `stderr`) takes colour; else `text` as it is. */
export function paint(format: Style, text: string, stderr = false): string {
  return colorOn(stderr ? process.stderr : process.stdout)
    ? style(format, text, { validateStream: false })
    : text
}

/**
 * One formatted diagnostic, coloured as TypeScript colours its own: the location cyan, the severity red
 * (error) or yellow (warning), the code dim, the code frame's gutter dim with the caret in the severity's
 * colour, the hint green.
 */
export function colorDiagnostic(d: Diagnostic, text: string): string {
  const tone: Style = d.severity === 'error' ? 'red' : 'yellow'
  const c = (format: Style, s: string) => style(format, s, { validateStream: false })
  const lines = text.split('\n')
  const head = `${d.severity} ${d.code}:`
  const at = lines[0]?.indexOf(head) ?? -1
  if (at >= 0) {
    const where = lines[0]!.slice(0, at)
    lines[0] =
      `${where ? c('cyan', where.replace(/ - $/, '')) + (where.endsWith(' - ') ? ' - ' : '') : ''}` +
      `${c('bold', c(tone, d.severity))} ${c('dim', d.code)}:${lines[0]!.slice(at + head.length)}`
  }
  return lines
    .map((line, i) => {
      if (i === 0) return line
      const caret = /^(\s*\|\s*)(\^+)$/.exec(line)
      if (caret) return c('dim', caret[1]!) + c('bold', c(tone, caret[2]!))
      const frame = /^(\s*\d+ \|)(.*)$/.exec(line)
      if (frame) return c('dim', frame[1]!) + frame[2]!
      if (line.startsWith('  hint: ')) return `  ${c('green', 'hint:')}${line.slice('  hint:'.length)}`
      if (line.startsWith('  see ')) return c('dim', line)
      const related = /^( {2})(\S+:\d+:\d+)( - .*)$/.exec(line)
      if (related) return related[1]! + c('cyan', related[2]!) + related[3]!
      return line
    })
    .join('\n')
}
