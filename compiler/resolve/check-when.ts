/** Requisites into a state that exists only under a `when()` its requirer is not under. */
import type { Cond, Expr, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { changedSince, type GraphDelta } from '../graph/build-graph.ts'
import { condKey } from '../graph/cond-key.ts'

/**
 * `A require B` where B sits in a `when(cond)` that A does not: when `cond` is false on a machine, Salt
 * fails A at apply time ("The following requisites were not found"). The same holds for `B require_in A`.
 */
export function checkConditionalRequisites(
  states: readonly StateNode[],
  cache?: WhenCache,
  graph?: GraphDelta,
): Diagnostic[] {
  if (cache === undefined) {
    const out: Diagnostic[] = []
    for (const s of states) out.push(...conditionalOf(states, s))
    return out
  }
  const changed = graph && changedSince(graph, cache.graph)
  const requirers = graph?.requirers
  if (changed !== undefined && requirers !== undefined) {
    const again = new Set<number>(changed)
    for (const k of changed) for (const j of requirers[k] ?? []) again.add(j)
    for (const k of again) cache.found[k] = conditionalOf(states, states[k]!)
  } else cache.found = states.map((s) => conditionalOf(states, s))
  cache.graph = graph?.build
  const out: Diagnostic[] = []
  for (const found of cache.found) if (found.length > 0) out.push(...found)
  return out
}

/**
 * What the last check found per key (watch mode): after a graph that changed some keys, a state is
 * checked again when it or a state it points at changed.
 */
export interface WhenCache {
  /** The `build` of the graph the findings are of. */
  graph: number | undefined
  found: (readonly Diagnostic[])[]
}

const NONE: readonly Diagnostic[] = Object.freeze([])

/** The findings of one state's requisites. */
function conditionalOf(states: readonly StateNode[], s: StateNode): readonly Diagnostic[] {
  let out: Diagnostic[] | undefined
  for (const r of s.requisites) {
    const target = states[r.target]
    if (target === undefined) continue
    const inward = r.kind.endsWith('_in')
    const needer = inward ? target : s
    const needed = inward ? s : target
    // most requisites: the needed state is under no condition, or under the same ones
    if (needed.when.length === 0 || needed.when === needer.when) continue
    const held = new Set(needer.when.map(condKey))
    const missing = needed.when.filter((c) => !held.has(condKey(c)))
    if (missing.length === 0) continue
    out ??= []
    out.push(
      error(
        'DSL4010',
        `'${needer.id}' has a ${r.kind.replace(/_in$/, '')} on '${needed.id}', which exists only when ${describe(missing)}`,
        r.origin,
        {
          related: [{ message: `'${needed.id}' is declared inside when() here`, origin: needed.origin }],
          hint: `where the condition is false Salt fails '${needer.id}' at apply time: put both states under the same when()`,
        },
      ),
    )
  }
  return out ?? NONE
}

function describe(conds: readonly Cond[]): string {
  return conds.map(condText).join(' and ')
}

function condText(c: Cond): string {
  switch (c.kind) {
    case 'truthy':
      return exprText(c.expr)
    case 'eq':
      return `${exprText(c.expr)} == ${JSON.stringify(c.value)}`
    case 'in':
      return `${exprText(c.expr)} in ${JSON.stringify(c.values)}`
    case 'not':
      return `not (${condText(c.cond)})`
    default:
      return c.conds.map((x) => `(${condText(x)})`).join(` ${c.kind} `)
  }
}

const exprText = (e: Expr): string =>
  e.kind === 'pillar' || e.kind === 'grain'
    ? `${e.kind === 'grain' ? 'grains' : 'pillar'}.${e.path.join('.')}`
    : e.kind
