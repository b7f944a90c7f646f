import type { Program, SlsNode, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error, type StageResult } from '../diagnostics.ts'
import { checkArgs } from './check-args.ts'
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
  /**
   * With a cache (watch mode): the SLS modules whose node, members and requisite targets are the very
   * objects of the previous graph, so everything made from them (includes, the emitted file) is too.
   */
  readonly clean?: ReadonlySet<string>
}

/**
 * What the last graph of this config found per state, and its edges, by key (watch mode): a state
 * replayed from an unchanged module, with the same key and requisites, keeps its node, and a node at the
 * same key as last time is not checked again.
 */
export interface GraphCache {
  states: readonly StateNode[]
  edges: readonly (readonly Edge[])[]
  checked: readonly (readonly Diagnostic[])[]
  /** Per SLS: its node, how many members it had, and its includes. */
  sls: ReadonlyMap<
    string,
    { readonly node: SlsNode; readonly size: number; readonly includes: readonly string[] }
  >
  /** The states of each ID, in key order (kept up to date from the states that changed). */
  readonly ids: Map<string, StateNode[]>
  /** The cycles found in the last graph's edges (reused while the edges are the same). */
  cycles: readonly (readonly Edge[])[]
}

export function newGraphCache(): GraphCache {
  return { states: [], edges: [], checked: [], sls: new Map(), ids: new Map(), cycles: [] }
}

const sameEdges = (a: readonly Edge[], b: readonly Edge[] | undefined) =>
  b !== undefined &&
  a.length === b.length &&
  a.every((e, i) => {
    const f = b[i]!
    return e.before === f.before && e.after === f.after && e.state === f.state && e.index === f.index
  })

const NO_EDGES: readonly Edge[] = Object.freeze([])

function edgesOf(s: StateNode): readonly Edge[] {
  if (s.requisites.length === 0) return NO_EDGES
  const own: Edge[] = []
  for (let i = 0; i < s.requisites.length; i++) {
    const r = s.requisites[i]!
    own.push(requisiteEdge(r.kind, s.key, r.target, i))
  }
  return own
}

/** Builds the IR graph and collects every graph error: duplicate IDs, cycles, bad arguments, dangling names. */
export function buildGraph(program: Program, cache?: GraphCache): StageResult<Graph> {
  const diagnostics: Diagnostic[] = []
  const states = program.states
  const sls = new Map(program.sls.map((s) => [s.name, s]))
  const edges: Edge[] = []
  const checks: Diagnostic[] = []
  let dirty: Set<string> | undefined
  let edgesKept = false
  if (cache === undefined) {
    diagnostics.push(...duplicateIds(states))
    for (const s of states) {
      for (let i = 0; i < s.requisites.length; i++) {
        const r = s.requisites[i]!
        edges.push(requisiteEdge(r.kind, s.key, r.target, i))
      }
    }
    for (const s of states) checks.push(...checkArgs(s))
  } else {
    const last = cache.states
    const fresh = changedKeys(states, cache)
    diagnostics.push(...duplicatesOf(cache.ids))
    dirty = new Set()
    const own: (readonly Edge[])[] = new Array(states.length)
    const checked: (readonly Diagnostic[])[] = new Array(states.length)
    // the same edges as the last graph (a new node with the very same requisites keeps them): its cycles
    edgesKept = states.length === last.length
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!
      const same = fresh[i] === 0
      const mine = same ? cache.edges[i]! : edgesOf(s)
      if (!same && edgesKept && !sameEdges(mine, cache.edges[i])) edgesKept = false
      own[i] = mine
      for (const e of mine) edges.push(e)
      const found = same ? cache.checked[i]! : checkArgs(s)
      checked[i] = found
      if (found.length > 0) checks.push(...found)
      // an SLS is dirty when one of its states is new, or a state one of them points at is another one
      // (a new node with the same ID, function and SLS is written the same)
      if (!same) dirty.add(s.sls)
      else if (!dirty.has(s.sls)) {
        for (const r of s.requisites) {
          if (fresh[r.target] === 0) continue
          const now = states[r.target]
          const was = last[r.target]
          if (now?.id !== was?.id || now?.module !== was?.module || now?.sls !== was?.sls) dirty.add(s.sls)
        }
      }
    }
    cache.states = states
    cache.edges = own
    cache.checked = checked
  }
  const cycles = cache !== undefined && edgesKept ? cache.cycles : findCycles(states.length, edges)
  if (cache !== undefined) cache.cycles = cycles
  for (const cycle of cycles) diagnostics.push(cycleDiagnostic(cycle, states))
  diagnostics.push(...checks)
  diagnostics.push(...danglingSls(program, sls))
  const members = new Map<string, StateNode[]>([...sls.keys()].map((name) => [name, []]))
  for (const s of states) members.get(s.sls)?.push(s)
  if (cache === undefined || dirty === undefined) {
    return { value: { program, states, sls, members, includes: includesOf(sls, states), edges }, diagnostics }
  }
  const clean = cleanSls(sls, members, dirty, cache)
  const includes = includesOf(sls, states, clean, cache)
  cache.sls = new Map(
    [...sls.values()].map((node) => [
      node.name,
      { node, size: members.get(node.name)?.length ?? 0, includes: includes.get(node.name) ?? [] },
    ]),
  )
  return { value: { program, states, sls, members, includes, edges, clean }, diagnostics }
}

/** The SLS modules made of the same objects as in the last graph (`dirty`: those that are not). */
function cleanSls(
  sls: ReadonlyMap<string, SlsNode>,
  members: ReadonlyMap<string, readonly StateNode[]>,
  dirty: ReadonlySet<string>,
  cache: GraphCache,
): Set<string> {
  const clean = new Set<string>()
  for (const [name, node] of sls) {
    const last = cache.sls.get(name)
    if (last === undefined || !sameSls(last.node, node) || dirty.has(name)) continue
    if (last.size === (members.get(name)?.length ?? 0)) clean.add(name)
  }
  return clean
}

/** The same SLS declaration (a module that ran again makes a new node for it). */
function sameSls(a: SlsNode, b: SlsNode): boolean {
  if (a === b) return true
  const [x, y] = [a.origin, b.origin]
  return (
    a.doc === b.doc &&
    a.includes.length === b.includes.length &&
    a.includes.every((name, i) => name === b.includes[i]) &&
    x.file === y.file &&
    x.line === y.line &&
    x.column === y.column
  )
}

/**
 * Marks the keys whose node is not the one of the last graph (1 in the result), and brings the states by
 * ID up to date with them.
 */
function changedKeys(states: readonly StateNode[], cache: GraphCache): Uint8Array {
  const last = cache.states
  const fresh = new Uint8Array(states.length)
  const ids = cache.ids
  for (let i = 0; i < Math.max(states.length, last.length); i++) {
    const now = states[i]
    const was = last[i]
    if (now === was) continue
    if (now !== undefined) fresh[i] = 1
    if (was !== undefined) {
      const list = ids.get(was.id)
      const at = list?.indexOf(was) ?? -1
      if (list !== undefined && at !== -1) {
        list.splice(at, 1)
        if (list.length === 0) ids.delete(was.id)
      }
    }
    if (now !== undefined) {
      const list = ids.get(now.id)
      if (list === undefined) ids.set(now.id, [now])
      else {
        list.push(now)
        list.sort((a, b) => a.key - b.key)
      }
    }
  }
  return fresh
}

/** What duplicateIds reports, from the states by ID. */
function duplicatesOf(ids: ReadonlyMap<string, readonly StateNode[]>): Diagnostic[] {
  const repeated: StateNode[] = []
  for (const list of ids.values()) if (list.length > 1) repeated.push(...list)
  return duplicateIds(repeated.sort((a, b) => a.key - b.key))
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
function includesOf(
  sls: ReadonlyMap<string, SlsNode>,
  states: readonly StateNode[],
  clean?: ReadonlySet<string>,
  cache?: GraphCache,
): Map<string, readonly string[]> {
  const sets = new Map<string, Set<string>>()
  for (const s of sls.values()) if (!clean?.has(s.name)) sets.set(s.name, new Set(s.includes))
  for (const s of states) {
    if (clean?.has(s.sls)) continue
    for (const r of s.requisites) {
      const target = states[r.target]
      if (target && target.sls !== s.sls) sets.get(s.sls)?.add(target.sls)
    }
  }
  const out = new Map<string, readonly string[]>()
  for (const name of sls.keys()) {
    const set = sets.get(name)
    out.set(name, set === undefined ? (cache?.sls.get(name)?.includes ?? []) : [...set].sort())
  }
  return out
}
