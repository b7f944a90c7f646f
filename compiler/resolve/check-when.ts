/** Requisites into a state that exists only under a `when()` its requirer is not under. */
import type { Cond, Expr, Program, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { changedSince, type GraphDelta } from '../graph/build-graph.ts'
import { condKey } from '../graph/cond-key.ts'
import { evalCond, renderedSls } from './predict.ts'
import type { Resolution, ResolvedMinion } from './resolve-machines.ts'

/**
 * `A require B` (or `A require_in B`) where B sits in a `when(cond)` that A does not: on a machine where
 * `cond` is false, Salt fails A at apply time ("The following requisites were not found"), or refuses the
 * `_in` ("Cannot extend ID"). `B require_in A` from inside the `when()` is fine: Salt drops it with B. With
 * an inventory, the verdict is per machine: only machines that render A without B are reported.
 */
export function checkConditionalRequisites(
  states: readonly StateNode[],
  cache?: WhenCache,
  graph?: GraphDelta,
  resolution?: Resolution,
): Diagnostic[] {
  const machines: Machines | undefined =
    resolution === undefined || resolution.machines.length === 0
      ? undefined
      : { program: resolution.program, machines: resolution.machines, rendered: new Map() }
  // a machine's verdict reads its pillar too, which the per-state cache does not follow: found afresh
  if (cache === undefined || machines !== undefined) {
    const out: Diagnostic[] = []
    for (const s of states) out.push(...conditionalOf(states, s, machines))
    return out
  }
  const changed = graph && changedSince(graph, cache.graph)
  const requirers = graph?.requirers
  if (changed !== undefined && requirers !== undefined) {
    const again = new Set<number>(changed)
    for (const k of changed) for (const j of requirers[k] ?? []) again.add(j)
    for (const k of again) cache.found[k] = conditionalOf(states, states[k]!, machines)
  } else cache.found = states.map((s) => conditionalOf(states, s, machines))
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
function conditionalOf(
  states: readonly StateNode[],
  s: StateNode,
  machines?: Machines,
): readonly Diagnostic[] {
  let out: Diagnostic[] | undefined
  for (const r of s.requisites) {
    const target = states[r.target]
    // `- sls: name` needs whichever of its states the machine renders
    if (target === undefined || r.sls !== undefined) continue
    // the state named must exist wherever the one declaring the requisite does: a plain requisite fails
    // ("requisites were not found"), an `_in` one cannot extend it ("Cannot extend ID"); an `_in` whose
    // declaring state is absent is dropped with it
    const needer = s
    const needed = target
    // most requisites: the needed state is under no condition, or under the same ones
    if (needed.when.length === 0 || needed.when === needer.when) continue
    const held = new Set(needer.when.map(condKey))
    const missing = needed.when.filter((c) => !held.has(condKey(c)))
    if (missing.length === 0) continue
    const on = machines === undefined ? undefined : machinesMissing(machines, needer, needed)
    if (on !== undefined && on.length === 0) continue
    const inward = r.kind.endsWith('_in')
    const who =
      on === undefined
        ? ''
        : `${on.length === 1 ? 'machine' : 'machines'} ${on.map((m) => `'${m}'`).join(', ')}: `
    out ??= []
    out.push(
      error(
        'DSL4010',
        `${who}'${needer.id}' has a ${r.kind} on '${needed.id}', which exists only when ${describe(missing)}`,
        r.origin,
        {
          related: [{ message: `'${needed.id}' is declared inside when() here`, origin: needed.origin }],
          hint: inward
            ? `where the condition is false Salt cannot add the requisite to '${needed.id}' ("Cannot extend ID"): declare '${needer.id}' under the same when()`
            : `where the condition is false Salt fails '${needer.id}' at apply time: put both states under the same when()`,
        },
      ),
    )
  }
  return out ?? NONE
}

/** The machines of the inventory, for the per-machine verdict (with the SLS each renders, found once). */
export interface Machines {
  readonly program: Program
  readonly machines: readonly ResolvedMinion[]
  readonly rendered: Map<string, Set<string>>
}

/**
 * The machines that render `needer` without `needed`; undefined when a condition cannot be decided here
 * (it reads a loop's item), so the finding stands for every machine.
 */
function machinesMissing(m: Machines, needer: StateNode, needed: StateNode): string[] | undefined {
  if (![...needer.when, ...needed.when].every(decidable)) return undefined
  const out: string[] = []
  for (const machine of m.machines) {
    let sls = m.rendered.get(machine.id)
    if (sls === undefined) {
      sls = renderedSls(m.program, machine.sls)
      m.rendered.set(machine.id, sls)
    }
    if (!sls.has(needer.sls) || !needer.when.every((c) => evalCond(c, machine))) continue
    if (!needed.when.every((c) => evalCond(c, machine))) out.push(machine.id)
  }
  return out
}

/** Whether the compiler can evaluate a condition for a machine (it reads no loop item). */
function decidable(c: Cond): boolean {
  switch (c.kind) {
    case 'not':
      return decidable(c.cond)
    case 'and':
    case 'or':
      return c.conds.every(decidable)
    default:
      return !JSON.stringify(c.expr).includes('"kind":"item"')
  }
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
