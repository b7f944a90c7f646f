import type { Program, SlsNode, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error, type StageResult } from '../diagnostics.ts'
import { checkArgs, checkGuard } from './check-args.ts'
import { type Edge, findCycles, requisiteEdge } from './cycles.ts'

/** The checked state graph: states by key, SLS modules, includes and ordering edges. */
export interface Graph {
  readonly program: Program
  readonly states: readonly StateNode[]
  readonly sls: ReadonlyMap<string, SlsNode>
  /** SLS name → states in emission order. */
  readonly members: ReadonlyMap<string, readonly StateNode[]>
  /** SLS name → the SLS it must include, sorted. */
  readonly includes: ReadonlyMap<string, readonly string[]>
  readonly edges: readonly Edge[]
}

/**
 * What argument checks found, by a state's arguments object (watch mode: a state replayed from an
 * unchanged module keeps its object, and with it its id, function and origin, so it is not checked again).
 */
export type ArgsCheckCache = WeakMap<object, readonly Diagnostic[]>

/** Builds the IR graph and collects every graph error: duplicate IDs, cycles, bad arguments, dangling names. */
export function buildGraph(program: Program, argsChecked?: ArgsCheckCache): StageResult<Graph> {
  const diagnostics: Diagnostic[] = []
  const states = program.states
  const sls = new Map(program.sls.map((s) => [s.name, s]))
  diagnostics.push(...duplicateIds(states))
  const edges: Edge[] = []
  for (const s of states) {
    for (let i = 0; i < s.requisites.length; i++) {
      const r = s.requisites[i]!
      edges.push(requisiteEdge(r.kind, s.key, r.target, i))
    }
  }
  for (const cycle of findCycles(states.length, edges)) diagnostics.push(cycleDiagnostic(cycle, states))
  if (argsChecked === undefined) for (const s of states) diagnostics.push(...checkArgs(s))
  else {
    for (const s of states) {
      let found = argsChecked.get(s.args)
      if (found === undefined) {
        found = checkArgs(s, false)
        argsChecked.set(s.args, found)
      }
      diagnostics.push(...found, ...checkGuard(s))
    }
  }
  diagnostics.push(...danglingSls(program, sls))
  const members = new Map<string, StateNode[]>([...sls.keys()].map((name) => [name, []]))
  for (const s of states) members.get(s.sls)?.push(s)
  return { value: { program, states, sls, members, includes: includesOf(sls, states), edges }, diagnostics }
}

function duplicateIds(states: readonly StateNode[]): Diagnostic[] {
  const seen = new Map<string, StateNode>()
  const out: Diagnostic[] = []
  for (const s of states) {
    const first = seen.get(s.id)
    if (first === undefined) {
      seen.set(s.id, s)
      continue
    }
    out.push(
      error('DSL3001', `duplicate state ID '${s.id}' (Salt: "Detected conflicting IDs")`, s.origin, {
        related: [{ message: `'${s.id}' is first declared here (sls ${first.sls})`, origin: first.origin }],
        hint: 'give one of them an explicit `id`',
      }),
    )
  }
  return out
}

function cycleDiagnostic(cycle: readonly Edge[], states: readonly StateNode[]): Diagnostic {
  const names = cycle.map((e) => states[e.before]!.id)
  const path = [...names, names[0]].join(' → ')
  const related = cycle.map((e) => {
    const owner = states[e.state]!
    const req = owner.requisites[e.index]!
    return { message: `'${owner.id}' ${req.kind} '${states[req.target]!.id}'`, origin: req.origin }
  })
  const first = cycle[0]!
  const origin = states[first.state]!.requisites[first.index]!.origin
  return error('DSL3002', `requisite cycle: ${path}`, origin, {
    related,
    hint: 'remove one of the requisites in the loop',
  })
}

function danglingSls(program: Program, sls: ReadonlyMap<string, SlsNode>): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const t of program.top) {
    for (const name of t.sls)
      if (!sls.has(name)) out.push(error('DSL3008', `top file names unknown SLS '${name}'`, t.origin))
  }
  for (const s of program.sls) {
    for (const name of s.includes)
      if (!sls.has(name))
        out.push(error('DSL3011', `sls '${s.name}' includes unknown SLS '${name}'`, s.origin))
  }
  return out
}

/** Explicit includes plus every SLS a requisite (either direction) points into. */
function includesOf(sls: ReadonlyMap<string, SlsNode>, states: readonly StateNode[]): Map<string, string[]> {
  const sets = new Map<string, Set<string>>([...sls.values()].map((s) => [s.name, new Set(s.includes)]))
  for (const s of states) {
    for (const r of s.requisites) {
      const target = states[r.target]
      if (target && target.sls !== s.sls) sets.get(s.sls)?.add(target.sls)
    }
  }
  return new Map([...sets].map(([name, set]) => [name, [...set].sort()]))
}
