import type { Cond, Expr } from './ir.ts'

/** ES2024's `isWellFormed` (Node 20 has it): no lone surrogate; native, a sixth of a regex test's cost. */
export const wellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed()

export const UNICODE_HINT =
  'a lone UTF-16 surrogate cannot be written as UTF-8 (nor read by YAML); check how the string was built'

/** Whether every key and text of an expression is valid Unicode (a byPlatform value was checked when made). */
export function exprWellFormed(expr: Expr): boolean {
  if (expr.kind === 'pillar' || expr.kind === 'grain') return expr.path.every(wellFormed)
  if (expr.kind === 'concat')
    return expr.parts.every((p) => (typeof p === 'string' ? wellFormed(p) : exprWellFormed(p)))
  return true
}

/** Whether every lookup and compared text of a condition is valid Unicode. */
export function condWellFormed(cond: Cond): boolean {
  switch (cond.kind) {
    case 'truthy':
      return exprWellFormed(cond.expr)
    case 'eq':
      return exprWellFormed(cond.expr) && (typeof cond.value !== 'string' || wellFormed(cond.value))
    case 'in':
      return exprWellFormed(cond.expr) && cond.values.every((v) => typeof v !== 'string' || wellFormed(v))
    case 'not':
      return condWellFormed(cond.cond)
    case 'and':
    case 'or':
      return cond.conds.every(condWellFormed)
  }
}
