import type { RequisiteKind, SlsNode, StateNode } from '../../dsl/ir.ts'
import { type Edge, findCycles } from './cycles.ts'

/**
 * Salt 3008's ordering graph (salt/utils/requisite.py, DependencyGraph), rebuilt from the IR so that a
 * cycle here is a "Recursive requisites were found" there, and nothing else is:
 *
 * - `require`, `watch`, `onchanges`, `onfail` and their `_any` forms: the target runs first.
 * - `X_in` is `X` written on the target (state.py `requisite_in` extends the target with it).
 * - `A prereq B`: A runs before B, and B is first run in test mode ("prereq check", a node of its own:
 *   `_add_prereq`) before A; that check needs everything B requires, so each of B's requisites runs
 *   before A too. A check of A (when A is itself prereq'd) waits for B's check.
 * - `listen` and `listen_in` order nothing (`add_requisites` does not read them; `call_listen` runs
 *   after every state).
 * - `use` orders nothing, but copies the used state's arguments that are not requisites Salt knows by
 *   name (`requisite_in`: `req_in_all`), and those include the `_any` requisites: `A use B` with
 *   `B require_any C` makes C run before A, unless A declares `require_any` itself.
 * - `- sls: X` binds the states of X and of every SLS first rendered through X's includes (state.py
 *   `render_state` adds X to their `__sls_included_from__`, and `DependencyGraph.add_chunk` files them
 *   under X too). Whether an included SLS was rendered earlier through another file depends on the
 *   highstate's order, so every SLS X includes, directly or not, counts (a requisite into another SLS
 *   is an include: includesOf in build-graph.ts).
 *
 * Nodes `0..n-1` are the states, `n + k` is state k's prereq check.
 */
export interface SaltOrder {
  readonly nodeCount: number
  /** Each edge's `state`/`index` is the requisite of the IR that made it (for the diagnostic). */
  readonly edges: readonly Edge[]
}

/** When a state's prereq check waits for the check of what it prereqs (see `saltOrder`). */
export type NestedPrereq = 'always' | { readonly chunkOrder: readonly number[] }

export interface SaltOrderOptions {
  /** Default `'always'`. */
  readonly nested?: NestedPrereq
  /** The SLS declarations (their explicit includes); without them only requisites make includes. */
  readonly sls?: readonly SlsNode[]
}

const ORDERING = new Set<string>(['require', 'watch', 'onchanges', 'onfail', 'prereq'])
const ANY = /_any$/

/** A requisite as Salt holds it after `requisite_in`: on `owner`, pointing at `target`. */
interface Effective {
  readonly owner: number
  readonly kind: string
  readonly target: number
  /** The IR requisite it came from. */
  readonly state: number
  readonly index: number
}

/**
 * The ordering graph. `nested` says when `A prereq B` makes B's check wait for A's check: Salt adds that
 * edge only when A's check node already exists as A's chunk is processed (`_add_prereq`: "if
 * self.dag.nodes.get(node_prereq_check_node)"), i.e. when a chunk before A prereqs A. The compiler
 * cannot know the order a highstate merges its SLS in, and the loop Salt misses in the other order is a
 * real one (Salt's own comment: the check "would ... unconditionally show pending changes"), so `dsl
 * check` adds it always; `{ chunkOrder }` reproduces Salt's verdict for one order (tests).
 */
export function saltOrder(states: readonly StateNode[], options: SaltOrderOptions = {}): SaltOrder {
  const n = states.length
  const nested = options.nested ?? 'always'
  const effective = effectiveRequisites(states, options.sls)
  const prereqd = new Uint8Array(n)
  for (const e of effective) if (e.kind === 'prereq') prereqd[e.target] = 1
  const position = new Int32Array(n)
  if (nested !== 'always') {
    for (let at = 0; at < nested.chunkOrder.length; at++) position[nested.chunkOrder[at]!] = at
  }
  const edges: Edge[] = []
  const add = (before: number, after: number, e: Effective) =>
    edges.push({ before, after, state: e.state, index: e.index })
  for (const e of effective) {
    const { owner, target } = e
    if (e.kind !== 'prereq') {
      add(target, owner, e)
      if (prereqd[owner] === 1) add(target, n + owner, e)
      continue
    }
    add(n + target, owner, e)
    add(owner, target, e)
    if (prereqd[owner] === 1 && (nested === 'always' || checkExists(owner, effective, position))) {
      add(n + target, n + owner, e)
    }
  }
  return { nodeCount: 2 * n, edges }
}

/** Whether some chunk before `owner` prereqs it (so its check node exists when its own chunk is read). */
function checkExists(owner: number, effective: readonly Effective[], position: Int32Array): boolean {
  for (const e of effective) {
    if (e.kind === 'prereq' && e.target === owner && position[e.owner]! < position[owner]!) return true
  }
  return false
}

/**
 * The cycles of Salt's ordering graph, as `findCycles` gives them, with each prereq check named by its
 * state (`before`/`after` are state keys).
 */
export function requisiteCycles(states: readonly StateNode[], options: SaltOrderOptions = {}): Edge[][] {
  const n = states.length
  const { nodeCount, edges } = saltOrder(states, options)
  if (edges.length === 0) return []
  const cycles = findCycles(nodeCount, edges)
  const state = (node: number) => (node >= n ? node - n : node)
  return cycles.map((cycle) => cycle.map((e) => ({ ...e, before: state(e.before), after: state(e.after) })))
}

/** Every requisite that orders, on the state Salt finally holds it on (`_in` turned round, `use` copied). */
function effectiveRequisites(states: readonly StateNode[], sls: readonly SlsNode[] | undefined): Effective[] {
  const out: Effective[] = []
  const uses: Effective[] = []
  let included: Included | undefined
  for (const s of states) {
    let lastSls: string | undefined
    for (let index = 0; index < s.requisites.length; index++) {
      const r = s.requisites[index]!
      const kind: RequisiteKind = r.kind
      const at = { state: s.key, index }
      if (kind === 'use') uses.push({ owner: s.key, kind, target: r.target, ...at })
      else if (kind === 'use_in') uses.push({ owner: r.target, kind: 'use', target: s.key, ...at })
      else if (kind.endsWith('_in')) {
        const base = kind.slice(0, -3)
        if (ORDERING.has(base)) out.push({ owner: r.target, kind: base, target: s.key, ...at })
      } else if (ORDERING.has(kind) || ANY.test(kind)) {
        out.push({ owner: s.key, kind, target: r.target, ...at })
        // `- sls: X` (one requisite per state of X, in a run): once, the states X's includes bring
        if (r.sls !== undefined && `${kind}\0${r.sls}` !== lastSls) {
          lastSls = `${kind}\0${r.sls}`
          included ??= includedStates(states, sls)
          for (const key of included(r.sls)) out.push({ owner: s.key, kind, target: key, ...at })
        }
      }
    }
  }
  // `use` copies the used state's own `_any` lists (as written: requisite_in reads the high data before
  // any extend), unless the using state declares that keyword itself
  for (const u of uses) {
    const from = states[u.target]
    const to = states[u.owner]
    if (from === undefined || to === undefined) continue
    for (const r of from.requisites) {
      if (!ANY.test(r.kind) || to.requisites.some((own) => own.kind === r.kind)) continue
      out.push({ owner: u.owner, kind: r.kind, target: r.target, state: u.state, index: u.index })
    }
  }
  return out
}

/** The same requisites (kind and target, in order): what the ordering graph is made of. */
export function sameRequisites(a: StateNode, b: StateNode): boolean {
  if (a.requisites === b.requisites) return true
  if (a.requisites.length !== b.requisites.length) return false
  return a.requisites.every(
    (r, i) => r.kind === b.requisites[i]!.kind && r.target === b.requisites[i]!.target,
  )
}

type Included = (name: string) => readonly number[]

/** The states of every SLS an SLS includes, directly or not (itself left out), by SLS name. */
function includedStates(states: readonly StateNode[], sls: readonly SlsNode[] | undefined): Included {
  const includes = new Map<string, Set<string>>()
  const members = new Map<string, number[]>()
  const add = (from: string, to: string) => {
    if (from === to) return
    const set = includes.get(from)
    if (set === undefined) includes.set(from, new Set([to]))
    else set.add(to)
  }
  for (const node of sls ?? []) for (const name of node.includes) add(node.name, name)
  for (const s of states) {
    const list = members.get(s.sls)
    if (list === undefined) members.set(s.sls, [s.key])
    else list.push(s.key)
    for (const r of s.requisites) {
      const target = states[r.target]
      if (target !== undefined) add(s.sls, target.sls)
    }
  }
  const memo = new Map<string, readonly number[]>()
  return (name) => {
    let keys = memo.get(name)
    if (keys !== undefined) return keys
    const seen = new Set<string>([name])
    const queue = [name]
    const found: number[] = []
    for (let head = 0; head < queue.length; head++) {
      for (const next of includes.get(queue[head]!) ?? []) {
        if (seen.has(next)) continue
        seen.add(next)
        queue.push(next)
        found.push(...(members.get(next) ?? []))
      }
    }
    keys = found
    memo.set(name, keys)
    return keys
  }
}
