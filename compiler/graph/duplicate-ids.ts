// Which repeated state IDs Salt refuses: the same ID twice in what one machine renders, the same module
// twice under one ID. One ID with several modules in one place is Salt's normal form (`id: otherHandle`).
import type { Cond, Program, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { condKey } from './cond-key.ts'

/**
 * The duplicate-ID errors among `states` (in key order). A state that joins another's ID is checked against
 * that one (same SLS, same blocks, another module). Two owners of one ID are an error unless their `when()`
 * conditions exclude each other; with an inventory, owners in different SLS are left to the per-machine
 * check (`checkMachineIds`), which knows which SLS each machine renders.
 */
export function duplicateIds(states: readonly StateNode[], program?: Program): Diagnostic[] {
  const perMachine = (program?.pillar?.inventory?.machines.length ?? 0) > 0
  const owners = new Map<string, StateNode[]>()
  const out: Diagnostic[] = []
  const byKey = new Map<number, StateNode>()
  for (const s of states) byKey.set(s.key, s)
  const modules = new Map<number, Map<string, StateNode>>()
  for (const s of states) {
    // an extend entry names a state declared elsewhere; an external one is declared by hand-written Salt
    if (s.extends !== undefined || s.external) continue
    if (s.joins !== undefined) {
      const host = byKey.get(s.joins) ?? program?.states[s.joins]
      if (host !== undefined) out.push(...joinIssues(s, host, modules))
      continue
    }
    const seen = modules.get(s.key) ?? new Map<string, StateNode>()
    seen.set(s.module, s)
    modules.set(s.key, seen)
    const list = owners.get(s.id)
    if (list === undefined) {
      owners.set(s.id, [s])
      continue
    }
    const clash = list.find((first) => !exclusive(first.when, s.when) && !(perMachine && first.sls !== s.sls))
    list.push(s)
    if (clash === undefined) continue
    out.push(
      error('DSL3001', `duplicate state ID '${s.id}' (Salt: "Detected conflicting IDs")`, s.origin, {
        related: [{ message: `'${s.id}' is first declared here (sls ${clash.sls})`, origin: clash.origin }],
        hint:
          clash.sls === s.sls && clash.module !== s.module
            ? "give one of them an explicit `id`, or put both under one ID as Salt allows for two modules: pass the first one's handle as `id`"
            : 'give one of them an explicit `id`',
      }),
    )
  }
  return out
}

/** A state joining `host`'s ID: Salt takes it only in the same file and place, and for another module. */
function joinIssues(
  s: StateNode,
  host: StateNode,
  modules: Map<number, Map<string, StateNode>>,
): Diagnostic[] {
  const related = [{ message: `'${host.id}' is declared here`, origin: host.origin }]
  if (host.sls !== s.sls || host.when !== s.when || host.loops !== s.loops) {
    const hint = 'declare it beside the state it joins: in the same sls(), when() and forEach()'
    const message = `'${s.id}' joins the ID of a state in ${host.sls !== s.sls ? `sls '${host.sls}'` : 'another when() or forEach() block'}, which one SLS cannot write`
    return [error('DSL3073', message, s.origin, { related, hint })]
  }
  const seen = modules.get(host.key) ?? new Map<string, StateNode>()
  modules.set(host.key, seen)
  const first = seen.get(s.module)
  seen.set(s.module, s)
  if (first === undefined) return []
  const message = `state ID '${s.id}' has module '${s.module}' twice (Salt: "Detected conflicting IDs")`
  return [
    error('DSL3001', message, s.origin, {
      related,
      hint: 'one ID holds each module once: give one its own `id`',
    }),
  ]
}

/** Whether two states' conditions can never hold together: one has `c`, the other `not(c)`, or `x == a` and `x == b`. */
export function exclusive(a: readonly Cond[], b: readonly Cond[]): boolean {
  if (a.length === 0 || b.length === 0 || a === b) return false
  const keys = new Set(a.map(condKey))
  for (const c of b) {
    if (c.kind === 'not' && keys.has(condKey(c.cond))) return true
    for (const d of a) {
      if (d.kind === 'not' && condKey(d.cond) === condKey(c)) return true
      if (
        d.kind === 'eq' &&
        c.kind === 'eq' &&
        d.value !== c.value &&
        condKey({ kind: 'truthy', expr: d.expr }) === condKey({ kind: 'truthy', expr: c.expr })
      )
        return true
    }
  }
  return false
}
