import { type Diagnostic, error } from '../compiler/diagnostics.ts'
import type { StateOutcome } from './state-outcomes.ts'

/**
 * A failed state as a diagnostic at its TypeScript line with Salt's comment; a state a failure blocked
 * (Salt: "One or more requisite failed") likewise, pointing at the state that failed.
 */
export function outcomeDiagnostics(outcomes: readonly StateOutcome[]): Diagnostic[] {
  const byRef = new Map(outcomes.map((o) => [`${o.sls}.${o.id}`, o]))
  const out: Diagnostic[] = []
  for (const o of outcomes) {
    if (o.status === 'failed') {
      out.push(
        error(
          'DSL6001',
          `${o.fun} '${o.id}' failed: ${o.comment || '(Salt gave no comment)'}${o.detail ? ` (${o.detail})` : ''}`,
          o.origin,
          {
            hint: `Salt's own words above; the state is declared here (SLS ${o.sls})`,
          },
        ),
      )
    } else if (o.status === 'blocked') {
      const refs = o.comment.replace(/^One or more requisite failed:\s*/, '').split(/,\s*/)
      const causes = refs.flatMap((r) => byRef.get(r.trim()) ?? [])
      const related = causes.flatMap((c) =>
        c.origin ? [{ message: `'${c.id}' failed (${c.fun})`, origin: c.origin }] : [],
      )
      out.push(
        error(
          'DSL6002',
          `${o.fun} '${o.id}' did not run: a state it requires failed (${o.comment})`,
          o.origin,
          {
            ...(related.length > 0 ? { related } : {}),
            hint: 'fix the failed requisite; this state runs once it succeeds',
          },
        ),
      )
    }
  }
  return out
}

/** What Salt reported instead of per-state results (a render error, a requisite cycle, no top match…). */
export function saltErrorDiagnostics(errors: readonly string[]): Diagnostic[] {
  return errors.map((e) =>
    error('DSL6003', `Salt could not run the tree: ${e}`, undefined, {
      hint: '`dsl check --salt` renders every machine with Salt and points at the TypeScript',
    }),
  )
}
