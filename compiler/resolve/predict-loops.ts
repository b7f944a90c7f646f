// The IDs a state renders for one machine: its loops run over the machine's data, its rendered ID evaluated
// per element, its conditions per element.
import type { Expr, StateNode } from '../../dsl/ir.ts'
import type { Data } from './merge.ts'
import type { ResolvedMinion } from './resolve-machines.ts'

/** The elements bound while predicting a loop's body, per minion view: `[key, value]` by loop depth. */
const BOUND = new WeakMap<ResolvedMinion, readonly (readonly [Data, Data])[]>()

/** The value of a loop item (or key) in the view `m` of a machine, as Jinja reads it (none where missing). */
export function itemValue(e: Extract<Expr, { kind: 'item' }>, m: ResolvedMinion): Data | undefined {
  const bound = BOUND.get(m)?.[e.depth]
  if (bound === undefined) return undefined
  if (e.key) return bound[0]
  let v: Data | undefined = bound[1]
  for (const k of e.path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null
    v = (v as { readonly [key: string]: Data })[k] ?? null
  }
  return v
}

/** What a loop's source gives: a map's entries, a list's indexes and elements, nothing for anything else. */
function elements(v: Data | undefined): (readonly [Data, Data])[] {
  if (Array.isArray(v)) return v.map((x, i) => [i, x] as const)
  if (v !== null && typeof v === 'object') return Object.entries(v as { readonly [key: string]: Data })
  return []
}

/**
 * The IDs `s` renders on `m` (its SLS already known to be rendered): one per element of its loops where its
 * conditions hold, its rendered ID evaluated.
 */
export function renderedIds(
  s: StateNode,
  m: ResolvedMinion,
  evalExpr: (e: Expr, m: ResolvedMinion) => Data | undefined,
  holds: (s: StateNode, m: ResolvedMinion) => boolean,
): string[] {
  const idOf = (view: ResolvedMinion) =>
    s.idExpr === undefined ? s.id : jinjaString(evalExpr(s.idExpr, view))
  const loops = s.loops ?? []
  if (loops.length === 0) return holds(s, m) ? [idOf(m)] : []
  const out: string[] = []
  const walk = (depth: number, bound: (readonly [Data, Data])[]) => {
    const view: ResolvedMinion = { ...m }
    BOUND.set(view, bound)
    if (depth === loops.length) {
      if (holds(s, view)) out.push(idOf(view))
      return
    }
    for (const pair of elements(evalExpr(loops[depth]!.source, view))) walk(depth + 1, [...bound, pair])
  }
  walk(0, [])
  return out
}

/** Jinja's `string` of a value, as a rendered ID holds it. */
function jinjaString(v: Data | undefined): string {
  if (v === undefined || v === null) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return String(v)
}
