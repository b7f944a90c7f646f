// The Jinja of render-time loops (`forEach`): the `for` around a body's states and the item lookups in it.
import type { Cond, Expr, LoopNode } from '../../dsl/ir.ts'
import { condKey } from '../graph/cond-key.ts'
import { jinjaLiteral } from './yaml.ts'

/** An element (or key) of the loop `depth` levels in: `dsl_k0`, `dsl_v0`, `(dsl_v0 | traverse("a:b"))`. */
export function itemJinja(e: Extract<Expr, { kind: 'item' }>): string {
  if (e.key) return `dsl_k${e.depth}`
  if (e.path.length === 0) return `dsl_v${e.depth}`
  // Salt's `traverse` filter: none where the element lacks the key, as pillar.get gives a default
  return `(dsl_v${e.depth} | traverse(${jinjaLiteral(e.path.join(':'))}))`
}

/**
 * The line that opens a loop: the source read once (none or a missing key is an empty list), then its keys
 * (a map's) or indexes (a list's), each element set as `dsl_v<depth>`.
 */
export function loopOpen(loop: LoopNode, exprJinja: (e: Expr) => string): string {
  const d = loop.depth
  const src = `dsl_s${d}`
  return `{% set ${src} = (${exprJinja(loop.source)}) or [] %}{% for dsl_k${d} in (${src} if ${src} is mapping else range(${src} | length)) %}{% set dsl_v${d} = ${src}[dsl_k${d}] %}`
}

export const LOOP_CLOSE = '{% endfor %}'

/** One level of Jinja around states: an `if` over some `when()` conditions, or a loop. */
type Block = { readonly conds: readonly Cond[] } | { readonly loop: LoopNode }

/** The levels around a state, outermost first: the conditions between its loops grouped into one `if`. */
function blocksOf(when: readonly Cond[], loops: readonly LoopNode[] | undefined): Block[] {
  const out: Block[] = []
  let i = 0
  for (const loop of loops ?? []) {
    if (loop.at > i) out.push({ conds: when.slice(i, loop.at) })
    i = Math.max(i, loop.at)
    out.push({ loop })
  }
  if (i < when.length) out.push({ conds: when.slice(i) })
  return out
}

function sameBlock(a: Block, b: Block): boolean {
  if ('loop' in a || 'loop' in b) return 'loop' in a && 'loop' in b && a.loop === b.loop
  return (
    a.conds.length === b.conds.length &&
    a.conds.every((c, i) => c === b.conds[i] || condKey(c) === condKey(b.conds[i]!))
  )
}

/** The lines that close the levels of the last state the next one is not in, and open the next one's new ones. */
export function blockChange(
  when: readonly Cond[],
  loops: readonly LoopNode[] | undefined,
  nextWhen: readonly Cond[],
  nextLoops: readonly LoopNode[] | undefined,
  condJinja: (c: Cond) => string,
  exprJinja: (e: Expr) => string,
): string[] {
  const was = blocksOf(when, loops)
  const now = blocksOf(nextWhen, nextLoops)
  let same = 0
  while (same < was.length && same < now.length && sameBlock(was[same]!, now[same]!)) same++
  const out: string[] = []
  for (let i = was.length - 1; i >= same; i--) out.push('loop' in was[i]! ? LOOP_CLOSE : '{% endif %}')
  for (let i = same; i < now.length; i++) {
    const b = now[i]!
    out.push(
      'loop' in b
        ? loopOpen(b.loop, exprJinja)
        : `{% if ${b.conds.map((c) => `(${condJinja(c)})`).join(' and ')} %}`,
    )
  }
  return out
}
