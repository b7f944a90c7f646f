import { type Diagnostic, diagnosticsJson, formatDiagnostic } from '../diagnostics.ts'

/** Prints diagnostics as text (stderr) or JSON (stdout); returns the exit code they imply. */
export function report(diagnostics: readonly Diagnostic[], format: string | undefined): number {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  if (format === 'json') {
    process.stdout.write(diagnosticsJson(diagnostics))
  } else {
    for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n\n`)
    if (diagnostics.length > 0)
      process.stderr.write(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`)
  }
  return errors > 0 ? 1 : 0
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
