import type { Program, SlsNode, StateNode } from '../../dsl/ir.ts'
import { type Diagnostic, error, type StageResult } from '../diagnostics.ts'
import { checkArgs } from './check-args.ts'
import { loopChecks } from './check-loops.ts'
import { type Edge, requisiteEdge } from './cycles.ts'
import { duplicateIds } from './duplicate-ids.ts'
import { checkBindings } from './requisite-binding.ts'
import { requisiteCycles, sameRequisites } from './requisite-order.ts'
import { checkExternals, saltDirSls } from './salt-dir-sls.ts'

/** The checked state graph: states by key, SLS modules, includes and ordering edges. */
export interface Graph {
  readonly program: Program
  readonly states: readonly StateNode[]
  readonly sls: ReadonlyMap<string, SlsNode>
  /** SLS name → states in emission order. */
  readonly members: ReadonlyMap<string, readonly StateNode[]>
  /** SLS name → the SLS it must include: its own includes in order, then those its requisites need, sorted. */
  readonly includes: ReadonlyMap<string, readonly string[]>
  /** A state's ordering edges (one per requisite, in order). */
  readonly edgesOf: (key: number) => readonly Edge[]
  /**
   * With a cache (watch mode): this graph's number. What a later stage kept from the graph numbered
   * one less is what `clean` and `changed` describe the difference from.
   */
  readonly build?: number
  /**
   * With a cache: the SLS modules whose node, members and requisite targets are the very objects of the
   * graph before, so everything made from them (includes, the emitted file) is too.
   */
  readonly clean?: ReadonlySet<string>
  /**
   * With a cache, when the graph before had as many states and the same SLS names: the keys whose node is
   * not the one there (ascending). Absent when every key may have changed.
   */
  readonly changed?: readonly number[]
  /**
   * With a cache: by key, the keys of the states with a requisite on it (one entry per requisite, in no
   * order). Valid until the next graph made with the same cache.
   */
  readonly requirers?: readonly (readonly number[] | undefined)[]
}

/** What a graph says of how it differs from the graph before it (for the caches of later stages). */
export type GraphDelta = Pick<Graph, 'build' | 'changed' | 'requirers'>

/**
 * The keys whose node changed since the graph numbered `last`, when `graph` is the one right after it;
 * undefined when it is not (a stage did not run for the graphs between), or when every key may have
 * changed. A stage that keeps what it made from the graph numbered `last` redoes only those keys.
 */
export function changedSince(graph: GraphDelta, last: number | undefined): readonly number[] | undefined {
  return follows(graph, last) ? graph.changed : undefined
}

/** Whether `graph` is the one right after the graph numbered `last` (its `clean` is relative to that). */
export function follows(graph: GraphDelta, last: number | undefined): boolean {
  return graph.build !== undefined && last === graph.build - 1
}

/**
 * What the last graph of this config found per state, by key (watch mode): a node at the same key as
 * then is not checked again, and the edges, members and includes of what did not change are kept.
 */
export interface GraphCache {
  /** How many graphs were made with this cache (the last one's `build`). */
  build: number
  states: readonly StateNode[]
  edges: (readonly Edge[])[]
  checked: (readonly Diagnostic[])[]
  requirers: (number[] | undefined)[]
  members: ReadonlyMap<string, readonly StateNode[]>
  /** Per SLS: its node and its includes. */
  sls: ReadonlyMap<string, { readonly node: SlsNode; readonly includes: readonly string[] }>
  /** The states of each ID, in key order (kept up to date from the states that changed). */
  readonly ids: Map<string, StateNode[]>
  /** The IDs with more than one state. */
  readonly repeated: Set<string>
  /** The cycles found in the last graph's edges (reused while the edges are the same). */
  cycles: readonly (readonly Edge[])[]
}

export function newGraphCache(): GraphCache {
  return {
    build: 0,
    states: [],
    edges: [],
    checked: [],
    requirers: [],
    members: new Map(),
    sls: new Map(),
    ids: new Map(),
    repeated: new Set(),
    cycles: [],
  }
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
  const sls = new Map(program.sls.map((s) => [s.name, s]))
  if (cache === undefined) return fullGraph(program, sls)
  const sameShape =
    cache.build > 0 &&
    cache.states.length === program.states.length &&
    cache.sls.size === sls.size &&
    [...cache.sls.keys()].every((name) => sls.has(name))
  cache.build++
  return sameShape ? changedGraph(program, sls, cache) : rebuiltGraph(program, sls, cache)
}

/** What every graph reports besides its arguments: duplicate IDs, cycles, names that are not there. */
function graphDiagnostics(
  program: Program,
  sls: ReadonlyMap<string, SlsNode>,
  duplicates: readonly Diagnostic[],
  cycles: readonly (readonly Edge[])[],
  checks: readonly Diagnostic[],
): Diagnostic[] {
  const out = [...duplicates]
  for (const cycle of cycles) out.push(cycleDiagnostic(cycle, program.states))
  out.push(...checks)
  out.push(...danglingSls(program, sls), ...checkExternals(program))
  out.push(...loopChecks(program))
  out.push(...checkBindings(program.states))
  return out
}

function membersOf(sls: ReadonlyMap<string, SlsNode>, states: readonly StateNode[]) {
  const members = new Map<string, StateNode[]>([...sls.keys()].map((name) => [name, []]))
  for (const s of states) members.get(s.sls)?.push(s)
  return members
}

/** A one-shot build: everything from the program. */
function fullGraph(program: Program, sls: Map<string, SlsNode>): StageResult<Graph> {
  const states = program.states
  // one flat array, each state's edges a run of it (at 100k states, not 100k small arrays)
  const edges: Edge[] = []
  const starts = new Int32Array(states.length + 1)
  for (const s of states) {
    starts[s.key] = edges.length
    for (let i = 0; i < s.requisites.length; i++)
      edges.push(requisiteEdge(s.requisites[i]!.kind, s.key, s.requisites[i]!.target, i))
  }
  starts[states.length] = edges.length
  const checks: Diagnostic[] = []
  for (const s of states) {
    const found = checkArgs(s)
    if (found.length > 0) checks.push(...found)
  }
  const cycles = requisiteCycles(states, { sls: program.sls })
  const diagnostics = graphDiagnostics(program, sls, duplicateIds(states, program), cycles, checks)
  const members = membersOf(sls, states)
  const edgesAt = (key: number) =>
    starts[key] === starts[key + 1] ? NO_EDGES : edges.slice(starts[key], starts[key + 1])
  return {
    value: { program, states, sls, members, includes: includesOf(sls, members, states), edgesOf: edgesAt },
    diagnostics,
  }
}

/**
 * A graph after keys were added or removed (or SLS names changed): every key is looked at, and a node
 * at the same key as last time keeps its checks and edges.
 */
function rebuiltGraph(program: Program, sls: Map<string, SlsNode>, cache: GraphCache): StageResult<Graph> {
  const states = program.states
  const last = cache.states
  const fresh = new Uint8Array(states.length)
  const edges: (readonly Edge[])[] = new Array(states.length)
  const checked: (readonly Diagnostic[])[] = new Array(states.length)
  const requirers: (number[] | undefined)[] = new Array(states.length)
  const checks: Diagnostic[] = []
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!
    const same = s === last[i]
    if (!same) fresh[i] = 1
    edges[i] = same ? cache.edges[i]! : edgesOf(s)
    const found = same ? cache.checked[i]! : checkArgs(s)
    checked[i] = found
    if (found.length > 0) checks.push(...found)
    for (const r of s.requisites) addRequirer(requirers, r.target, i)
  }
  // an SLS is dirty when one of its states is new, or a state one of them points at is another one
  // (a new node with the same ID, function and SLS is written the same)
  const dirty = new Set<string>()
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!
    if (fresh[i] === 1) {
      dirty.add(s.sls)
      continue
    }
    if (dirty.has(s.sls)) continue
    for (const r of s.requisites) {
      if (fresh[r.target] === 0) continue
      const now = states[r.target]
      const was = last[r.target]
      if (now?.id !== was?.id || now?.module !== was?.module || now?.sls !== was?.sls) dirty.add(s.sls)
    }
  }
  cache.ids.clear()
  cache.repeated.clear()
  for (const s of states) addId(cache, s)
  const cycles = requisiteCycles(states, { sls: program.sls })
  Object.assign(cache, { states, edges, checked, requirers, cycles })
  const diagnostics = graphDiagnostics(program, sls, duplicatesOf(cache, program), cycles, checks)
  const members = membersOf(sls, states)
  // an SLS with as many members as before, none of them new, is made of the same objects
  for (const [name, list] of members) if (cache.members.get(name)?.length !== list.length) dirty.add(name)
  return finish(program, sls, members, dirty, cache, diagnostics)
}

/**
 * A graph with as many states and the same SLS names as the last one (an edit that changed values, or
 * requisites): only the keys whose node changed, and the states that point at them, are looked at.
 */
function changedGraph(program: Program, sls: Map<string, SlsNode>, cache: GraphCache): StageResult<Graph> {
  const states = program.states
  const last = cache.states
  const changed: number[] = []
  for (let i = 0; i < states.length; i++) if (states[i] !== last[i]) changed.push(i)
  let edgesKept = true
  const dirty = new Set<string>()
  for (const k of changed) {
    const now = states[k]!
    const was = last[k]!
    removeId(cache, was)
    addId(cache, now)
    const mine = edgesOf(now)
    if (edgesKept && !(sameEdges(mine, cache.edges[k]) && sameRequisites(now, was))) edgesKept = false
    cache.edges[k] = mine
    cache.checked[k] = checkArgs(now)
    for (const r of was.requisites) {
      const list = cache.requirers[r.target]
      const at = list?.indexOf(k) ?? -1
      if (at !== -1) list!.splice(at, 1)
    }
    for (const r of now.requisites) addRequirer(cache.requirers, r.target, k)
    dirty.add(now.sls).add(was.sls)
  }
  // a state pointing at one that now has another ID, function or SLS is written differently
  for (const k of changed) {
    const now = states[k]!
    const was = last[k]!
    if (now.id === was.id && now.module === was.module && now.sls === was.sls) continue
    for (const j of cache.requirers[k] ?? []) dirty.add(states[j]!.sls)
  }
  // the member lists of the SLS a changed state was or is in, with its node now
  const members = new Map(cache.members)
  for (const name of dirty) {
    if (!sls.has(name)) continue
    const list: StateNode[] = []
    for (const x of cache.members.get(name) ?? []) if (states[x.key]!.sls === name) list.push(states[x.key]!)
    let moved = false
    for (const k of changed) {
      if (states[k]!.sls !== name || last[k]!.sls === name) continue
      list.push(states[k]!)
      moved = true
    }
    if (moved) list.sort((a, b) => a.key - b.key)
    members.set(name, list)
  }
  const checks: Diagnostic[] = []
  for (const found of cache.checked) if (found.length > 0) checks.push(...found)
  const cycles = edgesKept ? cache.cycles : requisiteCycles(states, { sls: program.sls })
  cache.states = states
  cache.cycles = cycles
  const diagnostics = graphDiagnostics(program, sls, duplicatesOf(cache, program), cycles, checks)
  return finish(program, sls, members, dirty, cache, diagnostics, changed)
}

/** The clean SLS, their includes kept and the others' found again; the cache brought up to date. */
function finish(
  program: Program,
  sls: ReadonlyMap<string, SlsNode>,
  members: ReadonlyMap<string, readonly StateNode[]>,
  dirty: ReadonlySet<string>,
  cache: GraphCache,
  diagnostics: Diagnostic[],
  changed?: readonly number[],
): StageResult<Graph> {
  const clean = new Set<string>()
  for (const [name, node] of sls) {
    const last = cache.sls.get(name)
    if (last !== undefined && !dirty.has(name) && sameSls(last.node, node)) clean.add(name)
  }
  const includes = includesOf(sls, members, program.states, clean, cache)
  cache.members = members
  cache.sls = new Map(
    [...sls.values()].map((node) => [node.name, { node, includes: includes.get(node.name) ?? [] }]),
  )
  const { states } = program
  const requirers = cache.requirers
  const graph: Graph = {
    program,
    states,
    sls,
    members,
    includes,
    edgesOf: (key) => cache.edges[key] ?? NO_EDGES,
    build: cache.build,
    clean,
    requirers,
    ...(changed ? { changed } : {}),
  }
  return { value: graph, diagnostics }
}

/** The same SLS declaration (a module that ran again makes a new node for it). */
function sameSls(a: SlsNode, b: SlsNode): boolean {
  if (a === b) return true
  const [x, y] = [a.origin, b.origin]
  return (
    a.doc === b.doc &&
    a.includes.length === b.includes.length &&
    a.includes.every((name, i) => name === b.includes[i]) &&
    // an include's condition or saltenv (plain data: symbols, which JSON leaves out, only brand expressions)
    (a.includeOptions === b.includeOptions ||
      JSON.stringify(a.includeOptions) === JSON.stringify(b.includeOptions)) &&
    x.file === y.file &&
    x.line === y.line &&
    x.column === y.column
  )
}

function addRequirer(requirers: (number[] | undefined)[], target: number, key: number): void {
  const list = requirers[target]
  if (list === undefined) requirers[target] = [key]
  else list.push(key)
}

function addId(cache: GraphCache, s: StateNode): void {
  const list = cache.ids.get(s.id)
  if (list === undefined) cache.ids.set(s.id, [s])
  else {
    list.push(s)
    if (list.length > 1 && list[list.length - 2]!.key > s.key) list.sort((a, b) => a.key - b.key)
    cache.repeated.add(s.id)
  }
}

function removeId(cache: GraphCache, s: StateNode): void {
  const list = cache.ids.get(s.id)
  const at = list?.indexOf(s) ?? -1
  if (list === undefined || at === -1) return
  list.splice(at, 1)
  if (list.length === 0) cache.ids.delete(s.id)
  if (list.length < 2) cache.repeated.delete(s.id)
}

/** What duplicateIds reports, from the states by ID. */
function duplicatesOf(cache: GraphCache, program: Program): Diagnostic[] {
  const repeated: StateNode[] = []
  for (const id of cache.repeated) repeated.push(...cache.ids.get(id)!)
  return duplicateIds(
    repeated.sort((a, b) => a.key - b.key),
    program,
  )
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
  const handWritten = saltDirSls(program)
  for (const t of program.top) {
    for (const name of t.sls)
      if (!sls.has(name) && !handWritten(name))
        out.push(error('DSL3008', `top file names unknown SLS '${name}'`, t.origin))
  }
  for (const s of program.sls) {
    for (const name of s.includes)
      if (!sls.has(name) && !handWritten(name))
        out.push(error('DSL3011', `sls '${s.name}' includes unknown SLS '${name}'`, s.origin))
  }
  return out
}

/** What an SLS's own unconditional includes bring in, with what theirs bring in (includes only). */
function includedThrough(sls: ReadonlyMap<string, SlsNode>, node: SlsNode): ReadonlySet<string> {
  const out = new Set<string>()
  const visit = (from: SlsNode) => {
    for (const name of from.includes) {
      if (from.includeOptions?.[name] !== undefined || out.has(name)) continue
      out.add(name)
      const next = sls.get(name)
      if (next !== undefined) visit(next)
    }
  }
  visit(node)
  // an own include under a condition does not stand for one a requisite needs: that one is added too,
  // and the emitted include is then unconditional
  for (const name of node.includes) if (node.includeOptions?.[name]?.when === undefined) out.add(name)
  return out
}

/** Explicit includes plus every SLS a requisite (either direction) points into (the clean ones' kept). */
function includesOf(
  sls: ReadonlyMap<string, SlsNode>,
  members: ReadonlyMap<string, readonly StateNode[]>,
  states: readonly StateNode[],
  clean?: ReadonlySet<string>,
  cache?: GraphCache,
): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>()
  for (const [name, node] of sls) {
    const kept = clean?.has(name) ? cache?.sls.get(name)?.includes : undefined
    if (kept !== undefined) {
      out.set(name, kept)
      continue
    }
    // the author's includes in their order (Salt runs included states in include order), then the SLS
    // requisites and extends point into that those do not include already, sorted
    const explicit = includedThrough(sls, node)
    const derived = new Set<string>()
    for (const s of members.get(name) ?? []) {
      if (s.extends !== undefined && s.extends !== name && !explicit.has(s.extends)) derived.add(s.extends)
      for (const r of s.requisites) {
        const target = states[r.target]
        if (target !== undefined && target.sls !== name && !explicit.has(target.sls)) derived.add(target.sls)
      }
    }
    out.set(name, derived.size === 0 ? node.includes : [...node.includes, ...[...derived].sort()])
  }
  return out
}
