import type { Graph } from '../../compiler/graph/build-graph.ts'
import { isExpr, type Value } from '../../dsl/ir.ts'

/** One state as both sides describe it: function, arguments and requisites (order aside). */
export interface StateView {
  readonly sls: string
  readonly fun: string
  readonly args: Record<string, unknown>
  readonly requisites: Record<string, { [module: string]: string }[]>
}

const REQUISITE_KEY = /^(require|watch|onchanges|onfail|prereq|listen|use)(_in|_any)?$/

/** Per state ID, the arguments whose value Salt computes from pillar/grains (compared elsewhere). */
export type ExprKeys = Record<string, readonly string[]>

/** What the compiler meant: every state of the graph, keyed by ID (literal values only; see ExprKeys). */
export function compilerView(graph: Graph): { view: Record<string, StateView>; exprKeys: ExprKeys } {
  const out: Record<string, StateView> = {}
  const exprKeys: Record<string, string[]> = {}
  for (const s of graph.states) {
    const args: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(s.args)) {
      if (containsExpr(v)) exprKeys[s.id] = [...(exprKeys[s.id] ?? []), k]
      else if (k !== 'order') args[k] = v
    }
    const requisites: StateView['requisites'] = {}
    for (const r of s.requisites) {
      const t = graph.states[r.target]!
      const ref = r.sls === undefined ? { [t.module]: t.id } : { sls: r.sls }
      const list = requisites[r.kind] ?? []
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(ref))) list.push(ref)
      requisites[r.kind] = list
    }
    out[s.id] = { sls: s.sls, fun: `${s.module}.${s.fun}`, args, requisites }
  }
  return { view: out, exprKeys }
}

function containsExpr(v: Value): boolean {
  if (isExpr(v)) return true
  if (Array.isArray(v)) return v.some(containsExpr)
  if (v !== null && typeof v === 'object') return Object.values(v).some((x) => containsExpr(x as Value))
  return false
}

/** What Salt rendered (`state.show_highstate` / `show_sls` high data), in the same shape. */
export function saltView(high: unknown, exprKeys: ExprKeys = {}): Record<string, StateView> {
  const out: Record<string, StateView> = {}
  for (const [id, body] of Object.entries(high as Record<string, Record<string, unknown>>)) {
    for (const [module, chunk] of Object.entries(body)) {
      if (module.startsWith('__')) continue
      const items = chunk as unknown[]
      const fun = items.find((x) => typeof x === 'string') as string
      const args: Record<string, unknown> = {}
      const requisites: StateView['requisites'] = {}
      for (const item of items) {
        if (typeof item !== 'object' || item === null) continue
        for (const [k, v] of Object.entries(item)) {
          if (REQUISITE_KEY.test(k)) requisites[k] = v as StateView['requisites'][string]
          else if (k !== 'order') args[k] = v
        }
      }
      for (const k of exprKeys[id] ?? []) delete args[k]
      out[id] = { sls: String(body.__sls__), fun: `${module}.${fun}`, args, requisites }
    }
  }
  return out
}
