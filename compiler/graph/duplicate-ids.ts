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
  // one entry per ID (a list only for an ID declared again): as cheap as a set of IDs for the usual config
  const owners = new Map<string, StateNode | StateNode[]>()
  let out: Diagnostic[] | undefined
  let joining: StateNode[] | undefined
  for (const s of states) {
    // an extend entry names a state declared elsewhere; an external one is declared by hand-written Salt
    if (s.extends !== undefined || s.external) continue
    if (s.joins !== undefined) {
      joining ??= []
      joining.push(s)
      continue
    }
    const seen = owners.get(s.id)
    if (seen === undefined) {
      owners.set(s.id, s)
      continue
    }
    const list = Array.isArray(seen) ? seen : [seen]
    if (list !== seen) owners.set(s.id, list)
    const clash = list.find((first) => !exclusive(first.when, s.when) && !(perMachine && first.sls !== s.sls))
    list.push(s)
    if (clash === undefined) continue
    out ??= []
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
  if (joining === undefined) return out ?? []
  const modules = new Map<number, Set<string>>()
  for (const s of joining) {
    const host = program?.states[s.joins!] ?? states.find((x) => x.key === s.joins)
    if (host === undefined) continue
    const found = joinIssue(s, host, modules)
    if (found !== undefined) {
      out ??= []
      out.push(found)
    }
  }
  return out ?? []
}

/** A state joining `host`'s ID: Salt takes it only in the same file and place, and for another module. */
function joinIssue(s: StateNode, host: StateNode, modules: Map<number, Set<string>>): Diagnostic | undefined {
  const related = [{ message: `'${host.id}' is declared here`, origin: host.origin }]
  if (host.sls !== s.sls || host.when !== s.when || host.loops !== s.loops) {
    const hint = 'declare it beside the state it joins: in the same sls(), when() and forEach()'
    const message = `'${s.id}' joins the ID of a state in ${host.sls !== s.sls ? `sls '${host.sls}'` : 'another when() or forEach() block'}, which one SLS cannot write`
    return error('DSL3073', message, s.origin, { related, hint })
  }
  let seen = modules.get(host.key)
  if (seen === undefined) {
    seen = new Set([host.module])
    modules.set(host.key, seen)
  }
  if (!seen.has(s.module)) {
    seen.add(s.module)
    return undefined
  }
  const message = `state ID '${s.id}' has module '${s.module}' twice (Salt: "Detected conflicting IDs")`
  return error('DSL3001', message, s.origin, {
    related,
    hint: 'one ID holds each module once: give one its own `id`',
  })
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
