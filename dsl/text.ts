import { exprOf, type Lookup } from './expr.ts'
import { EXPR, type Expr } from './ir.ts'
import { callSite } from './origin.ts'
import { type NoSecrets, refuseSecretParts } from './secret.ts'

/**
 * A string with pillar or grain values inside, joined by Salt when it renders the SLS.
 * @example
 * file(text`${pillar.ops.reports.dir}/inventory.json`, { contents: '{}' })
 * // {{ (salt['pillar.get']('ops:reports:dir') | string) ~ "/inventory.json" }}:
 */
export function text<V extends readonly unknown[]>(
  strings: TemplateStringsArray,
  ...values: V & NoSecrets<V>
): string & Lookup<string> {
  if (refuseSecretParts(values, 'text`...`', () => callSite(text))) return '' as string & Lookup<string>
  const parts: (string | Expr)[] = []
  const push = (part: string | Expr) => {
    const last = parts.at(-1)
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part
    else if (part !== '') parts.push(part)
  }
  strings.forEach((literal, i) => {
    push(literal)
    if (i >= values.length) return
    const value = values[i]
    push(exprOf(value) ?? String(value))
  })
  if (parts.every((p) => typeof p === 'string')) return parts.join('') as string & Lookup<string>
  return Object.freeze({
    [EXPR]: true as const,
    kind: 'concat' as const,
    parts: Object.freeze(parts),
  }) as never
}
