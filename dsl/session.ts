import { byNameTarget } from './by-name.ts'
import { condDepth } from './expr.ts'
import { HANDLE, isSlsHandle } from './handle.ts'
import type {
  Asset,
  BuilderIssue,
  Cond,
  InventoryNode,
  LayerNode,
  Origin,
  PillarSchemaNode,
  ProfileNode,
  Program,
  Requisite,
  RequisiteKind,
  SlsNode,
  StateNode,
  TopEntry,
} from './ir.ts'
import { isExpr } from './ir.ts'
import { MAX_JINJA_DEPTH } from './limits.ts'
import { condWellFormed, UNICODE_HINT, wellFormed } from './well-formed.ts'

/** A requisite as written by the user: a handle, or a thunk for a state declared later. */
export interface RequisiteDraft {
  readonly kind: RequisiteKind
  readonly ref: unknown
  readonly origin: Origin
}

/**
 * A state as recorded: its final node, frozen by finishSession once its requisites are resolved (the
 * node is not copied, which at 100k states would double the IR for a moment).
 */
export type StateDraft = { -readonly [K in keyof StateNode]: StateNode[K] }

interface SlsDraft {
  readonly node: SlsNode
}

/**
 * Something that may exist once per name (an SLS, a layer, a profile) or once per config (the pillar
 * schema, the inventory): recorded as an event, so that replaying a module's record (watch mode) checks it
 * against what the rest of the config declared, as running the module did.
 */
export type Registration =
  | { readonly kind: 'sls'; readonly node: SlsNode }
  | { readonly kind: 'schema'; readonly node: PillarSchemaNode }
  | { readonly kind: 'layer'; readonly node: LayerNode }
  | { readonly kind: 'profile'; readonly node: ProfileNode }
  | { readonly kind: 'inventory'; readonly node: InventoryNode }

/** What the builders record while user code runs. One per load; shared across module copies. */
export interface Session {
  readonly states: StateDraft[]
  /** The requisites each state was given, by state key (undefined for none), resolved at the end. */
  readonly drafts: (readonly RequisiteDraft[] | undefined)[]
  readonly sls: Map<string, SlsDraft>
  readonly top: TopEntry[]
  readonly assets: Asset[]
  readonly issues: BuilderIssue[]
  /** Issues that depend on the rest of the config (duplicates): not part of a module's record. */
  readonly derived: Set<BuilderIssue>
  readonly registrations: Registration[]
  /** The slices replayed into this session, in key order. */
  readonly replays: Replay[]
  /** Requisites whose handle points at a state that is not in this session (set by finishSession). */
  stale: number
  readonly when: Cond[]
  current: SlsNode | undefined
  /** What pillarSchema / layer / profile / inventory recorded. */
  readonly pillar: {
    schema?: PillarSchemaNode
    layers: LayerNode[]
    profiles: ProfileNode[]
    inventory?: InventoryNode
  }
  /**
   * Maps a position in the running file to the user's source (installed by the loader). `original`: the
   * position is in the compiled text as it was before the loader wrote call positions into it.
   */
  locate: (origin: Origin, original?: boolean) => Origin
}

const KEY = Symbol.for('salt-dsl.session')
type Holder = { [KEY]?: Session }

function newSession(): Session {
  return {
    states: [],
    drafts: [],
    sls: new Map(),
    top: [],
    assets: [],
    issues: [],
    derived: new Set(),
    registrations: [],
    replays: [],
    stale: 0,
    when: [],
    current: undefined,
    pillar: { layers: [], profiles: [] },
    locate: (o) => o,
  }
}

/** The active session (created on first use). */
export function session(): Session {
  const holder = globalThis as Holder
  holder[KEY] ??= newSession()
  return holder[KEY]
}

/** Starts a fresh session and returns it (the load stage calls this before evaluating a config). */
export function resetSession(): Session {
  const fresh = newSession()
  ;(globalThis as Holder)[KEY] = fresh
  return fresh
}

export function addIssue(
  code: string,
  message: string,
  origin: Origin,
  hint?: string,
  into = session(),
): void {
  const issue: BuilderIssue =
    hint === undefined
      ? { kind: 'issue', code, message, origin }
      : { kind: 'issue', code, message, hint, origin }
  into.issues.push(Object.freeze(issue))
}

/** A state key, or the name of a whole SLS (`- sls: name`). */
function resolveRef(s: Session, ref: unknown): number | { sls: string } | undefined {
  const value = typeof ref === 'function' ? (ref as () => unknown)() : ref
  if (value === null || typeof value !== 'object') return undefined
  const draft = (value as { [HANDLE]?: StateDraft })[HANDLE]
  if (draft !== undefined) {
    if (draft === null || typeof draft !== 'object' || draft.kind !== 'state') return undefined
    if (s.states[draft.key] === draft) return draft.key
    // a handle kept from an earlier run of a module (watch mode replays records): not this program's
    s.stale++
    return undefined
  }
  if (isSlsHandle(value)) return { sls: value.name }
  return undefined
}

/** Reports a second declaration of something that may exist once, pointing at the first. */
function addDuplicate(s: Session, code: string, what: string, first: Origin, origin: Origin, hint?: string) {
  addIssue(code, `${what} (first at ${first.file}:${first.line})`, origin, hint, s)
  s.derived.add(s.issues[s.issues.length - 1]!)
}

/** Records an SLS, a layer, a profile, the schema or the inventory, reporting a second declaration. */
export function register(s: Session, r: Registration): void {
  s.registrations.push(r)
  const p = s.pillar
  switch (r.kind) {
    case 'sls': {
      const previous = s.sls.get(r.node.name)
      if (previous !== undefined) {
        const what = `sls('${r.node.name}') is declared twice`
        addDuplicate(s, 'DSL1009', what, previous.node.origin, r.node.origin)
      }
      s.sls.set(r.node.name, { node: r.node })
      return
    }
    case 'schema':
      if (p.schema !== undefined) {
        const hint = 'one schema describes the merged pillar'
        addDuplicate(s, 'DSL4009', 'pillarSchema() is called twice', p.schema.origin, r.node.origin, hint)
      }
      p.schema = r.node
      return
    case 'layer': {
      const first = p.layers.find((l) => l.path === r.node.path)
      if (first !== undefined) {
        const what = `layer '${r.node.path}' is declared twice`
        addDuplicate(s, 'DSL4008', what, first.origin, r.node.origin)
        return
      }
      p.layers.push(r.node)
      return
    }
    case 'profile': {
      const first = p.profiles.find((x) => x.name === r.node.name)
      if (first !== undefined) {
        const what = `profile '${r.node.name}' is declared twice`
        addDuplicate(s, 'DSL4008', what, first.origin, r.node.origin)
      }
      p.profiles.push(r.node)
      return
    }
    case 'inventory':
      if (p.inventory !== undefined) {
        const hint = 'declare every machine in one inventory'
        addDuplicate(s, 'DSL4009', 'inventory() is called twice', p.inventory.origin, r.node.origin, hint)
      }
      p.inventory = r.node
      return
  }
}

/** How far each of a session's records had grown at one point of the run. */
export interface SessionMark {
  readonly states: number
  readonly issues: number
  readonly top: number
  readonly assets: number
  readonly registrations: number
}

/** What builders recorded between two marks: one stretch of one module's run (watch mode keeps these). */
export interface SessionSlice {
  readonly states: readonly StateDraft[]
  readonly requisites: readonly (readonly RequisiteDraft[] | undefined)[]
  readonly issues: readonly BuilderIssue[]
  readonly top: readonly TopEntry[]
  readonly assets: readonly Asset[]
  readonly registrations: readonly Registration[]
  /**
   * What the slice's requisites point at, when each is a state or SLS handle as such (no thunk, nothing
   * else): the state drafts and the SLS names, each once. Undefined otherwise.
   */
  readonly refs: { readonly drafts: readonly StateDraft[]; readonly sls: readonly string[] } | undefined
}

/** A slice replayed into a session: where its states went, and whether that is not where they were. */
interface Replay {
  readonly slice: SessionSlice
  readonly start: number
  readonly moved: boolean
}

export function markSession(s: Session): SessionMark {
  return {
    states: s.states.length,
    issues: s.issues.length,
    top: s.top.length,
    assets: s.assets.length,
    registrations: s.registrations.length,
  }
}

/** What was recorded since `m` (undefined when nothing was). */
export function sliceSession(s: Session, m: SessionMark): SessionSlice | undefined {
  const unchanged =
    s.states.length === m.states &&
    s.issues.length === m.issues &&
    s.top.length === m.top &&
    s.assets.length === m.assets &&
    s.registrations.length === m.registrations
  if (unchanged) return undefined
  const states = s.states.slice(m.states)
  const requisites = states.map((d) => s.drafts[d.key])
  return {
    states,
    requisites,
    refs: refsOf(requisites),
    issues: s.issues.slice(m.issues).filter((i) => !s.derived.has(i)),
    top: s.top.slice(m.top),
    assets: s.assets.slice(m.assets),
    registrations: s.registrations.slice(m.registrations),
  }
}

/** Thunks a builder made for a state it declares next: once that is declared, they always return it. */
const SETTLED_THUNKS = new WeakSet<() => unknown>()

/** Marks a builder's own thunk as one that returns the same handle once its state is declared. */
export function settledThunk<T>(thunk: () => T): () => T {
  SETTLED_THUNKS.add(thunk)
  return thunk
}

/** A handle as such, or what a settled thunk returns (undefined for any other thunk). */
function settledRef(ref: unknown): unknown {
  if (typeof ref !== 'function') return ref
  if (!SETTLED_THUNKS.has(ref as () => unknown)) return undefined
  try {
    return (ref as () => unknown)()
  } catch {
    return undefined
  }
}

function refsOf(requisites: SessionSlice['requisites']): SessionSlice['refs'] {
  const drafts = new Set<StateDraft>()
  const sls = new Set<string>()
  for (const list of requisites) {
    for (const r of list ?? []) {
      const ref = settledRef(r.ref)
      if (ref === null || typeof ref !== 'object') return undefined
      const draft = (ref as { [HANDLE]?: StateDraft })[HANDLE]
      if (draft !== undefined && draft !== null && typeof draft === 'object' && draft.kind === 'state')
        drafts.add(draft)
      else if (isSlsHandle(ref)) sls.add(ref.name)
      else return undefined
    }
  }
  return { drafts: [...drafts], sls: [...sls] }
}

/**
 * Records a slice again, as if its module had run at this point: states get the next keys (their handles
 * point at the drafts, so they follow), and registrations are checked against what is there now.
 */
export function replaySlice(s: Session, slice: SessionSlice): void {
  const start = s.states.length
  if (slice.states.length > 0) {
    const moved = slice.states[0]!.key !== start
    s.replays.push({ slice, start, moved })
    // a slice is one stretch of keys: where it starts where it did, every key is as it was
    if (moved) for (let i = 0; i < slice.states.length; i++) slice.states[i]!.key = start + i
    pushAll(s.states, slice.states)
    pushAll(s.drafts, slice.requisites)
  }
  s.issues.push(...slice.issues)
  s.top.push(...slice.top)
  s.assets.push(...slice.assets)
  for (const r of slice.registrations) register(s, r)
}

/** Appends `items` (a spread for the usual short list; a spread of a huge one would overflow the stack). */
function pushAll<T>(to: T[], items: readonly T[]): void {
  if (items.length <= 4096) to.push(...items)
  else for (const item of items) to.push(item)
}

export const NO_REQUISITES: readonly Requisite[] = Object.freeze([])

/**
 * Freezes what was recorded into the IR, resolving requisite thunks. The state drafts become the nodes;
 * with `previous` (watch mode, whose records are replayed into the next run) they are copied instead, and a
 * replayed state whose key and requisites came out the same is the node of `previous` again, so that
 * later stages can tell it did not change.
 */
export function finishSession(s: Session, previous?: readonly StateNode[]): Program {
  let bySls: Map<string, number[]> | undefined
  const membersOf = (name: string): readonly number[] => {
    if (bySls === undefined) {
      bySls = new Map()
      // a module's states come in runs of one SLS: the map is looked up once per run
      let run: number[] | undefined
      let runSls: string | undefined
      for (const x of s.states) {
        if (x.sls !== runSls || run === undefined) {
          runSls = x.sls
          run = bySls.get(x.sls)
          if (run === undefined) {
            run = []
            bySls.set(x.sls, run)
          }
        }
        run.push(x.key)
      }
    }
    return bySls.get(name) ?? []
  }
  const resolveDraft = (draft: StateNode, r: RequisiteDraft): Requisite[] => {
    const inner = byNameTarget(r.ref)
    const target = resolveRef(s, inner ?? r.ref)
    if (target === undefined || (inner !== undefined && typeof target !== 'number')) {
      const hint =
        inner === undefined
          ? 'pass the value a builder or sls() returned, e.g. `require: [gitPkg]`'
          : 'byName() takes a state handle (a whole SLS has no name)'
      addIssue('DSL1004', `a \`${r.kind}\` entry of '${draft.id}' is not a state handle`, r.origin, hint, s)
      return []
    }
    if (typeof target === 'number')
      return [
        Object.freeze(
          inner === undefined
            ? { kind: r.kind, target, origin: r.origin }
            : { kind: r.kind, target, byName: true as const, origin: r.origin },
        ),
      ]
    // a whole SLS: one requisite per state in it (what Salt does with `- sls: name`), emitted as one line
    if (membersOf(target.sls).length === 0) {
      // hand-written Salt (a saltDir() SLS) or an sls() declaring nothing: no state here to bind
      const message = `a \`${r.kind}\` entry of '${draft.id}' names SLS '${target.sls}', which declares no state in TypeScript`
      const hint = `name its states: external('${target.sls}', 'module', 'id') for hand-written Salt, or the handles of its states`
      addIssue('DSL1017', message, r.origin, hint, s)
      return []
    }
    return membersOf(target.sls).map((key) =>
      Object.freeze({ kind: r.kind, target: key, sls: target.sls, origin: r.origin }),
    )
  }
  const requisitesOf = (d: StateDraft): readonly Requisite[] => {
    const drafts = s.drafts[d.key]
    return drafts === undefined ? NO_REQUISITES : Object.freeze(drafts.flatMap((r) => resolveDraft(d, r)))
  }
  checkNames(s)
  let states: readonly StateNode[]
  if (previous !== undefined) {
    const nodeOf = (d: StateDraft): StateNode => {
      // the same draft at the same key (a draft's arguments object is its own), or a module that ran again
      // and declared the very same state there
      const last = previous[d.key]
      if (
        last !== undefined &&
        (last.args === d.args || sameDeclaration(last, d)) &&
        sameRequisites(s, last, s.drafts[d.key], membersOf)
      )
        return last
      return Object.freeze({ ...d, requisites: requisitesOf(d) })
    }
    const n = s.states.length
    const out: StateNode[] = new Array(n)
    let k = 0
    for (const [start, end] of keptRanges(s, previous)) {
      for (; k < start; k++) out[k] = nodeOf(s.states[k]!)
      for (; k < end; k++) out[k] = previous[k]!
    }
    for (; k < n; k++) out[k] = nodeOf(s.states[k]!)
    states = out
  } else {
    for (const d of s.states) d.requisites = requisitesOf(d)
    for (const d of s.states) Object.freeze(d)
    states = [...s.states]
  }
  return Object.freeze({
    states: Object.freeze(states),
    sls: Object.freeze([...s.sls.values()].map((d) => d.node)),
    top: Object.freeze([...s.top]),
    assets: Object.freeze([...s.assets]),
    issues: Object.freeze([...s.issues]),
    ...(hasPillar(s) ? { pillar: freezePillar(s) } : {}),
  })
}

/**
 * Reports a name that would become a YAML key or a path and holds a lone surrogate (top targets, machines'
 * environments and users): no YAML reader takes it, and UTF-8 cannot carry it (states, values and their
 * keys are checked where they are recorded: `declareState`, `toValue`). And a state ID Salt would drop.
 */
function checkNames(s: Session): void {
  const refuse = (what: string, origin: Origin) =>
    addIssue('DSL1050', `${what} is not valid Unicode (it holds a lone surrogate)`, origin, UNICODE_HINT, s)
  let conditions: readonly Cond[] | undefined
  for (const d of s.states) {
    // consecutive states under the same when() share one list: each list is looked at once
    if (d.when !== conditions && d.when.length > 0) {
      conditions = d.when
      // the emitted test joins the when() blocks with `and`, which Jinja nests one level per block
      let depth = d.when.length - 1
      for (const c of d.when) depth = Math.max(depth, d.when.length - 1 + condDepth(c))
      if (depth > MAX_JINJA_DEPTH) {
        const message = `the conditions of state '${d.id}' (when() blocks, and/or/not) nest deeper than ${MAX_JINJA_DEPTH} levels, more than Salt's Jinja can parse`
        addIssue('DSL1051', message, d.origin, 'split it into when() blocks, or into fewer levels', s)
      } else if (!d.when.every(condWellFormed)) refuse(`a when() condition of state '${d.id}'`, d.origin)
    }
    // Salt's state compiler skips every ID that starts with '__' (its own keys): the state would vanish
    if (d.id.charCodeAt(0) === 95 && d.id.charCodeAt(1) === 95) {
      const message = `state ID '${d.id}' starts with '__': Salt skips such IDs, and would never apply it`
      addIssue('DSL1052', message, d.origin, 'rename it, or give it an explicit `id`', s)
    }
  }
  for (const t of s.top) {
    const texts = Object.values(t.target).filter((v): v is string => typeof v === 'string')
    if (!texts.every(wellFormed)) refuse('a top() target', t.origin)
  }
  const inventory = s.pillar.inventory
  for (const m of inventory?.machines ?? []) {
    if (![m.environment, ...m.users].every(wellFormed))
      refuse(`an environment or user of '${m.id}'`, m.origin)
  }
  const onboarding = inventory?.onboarding.environment
  if (inventory !== undefined && onboarding !== undefined && !wellFormed(onboarding))
    refuse("the onboarding's environment", inventory.origin)
}

/**
 * The key ranges of replayed slices whose nodes are those of `previous` as they are: every state is where
 * it was (no replay moved, as many states as before), so a slice whose requisites are handles of states
 * still in the session, and of SLS that kept their members, resolves as it did.
 */
function keptRanges(s: Session, previous: readonly StateNode[]): [number, number][] {
  const n = s.states.length
  if (previous.length !== n || s.replays.some((r) => r.moved)) return []
  // an SLS gains or loses members only at the keys the modules that ran recorded (between the replays)
  const regrouped = new Set<string>()
  let k = 0
  const between = (end: number) => {
    for (; k < end; k++) {
      const was = previous[k]!.sls
      const now = s.states[k]!.sls
      if (was !== now) regrouped.add(was).add(now)
    }
  }
  for (const r of s.replays) {
    between(r.start)
    k = r.start + r.slice.states.length
  }
  between(n)
  const out: [number, number][] = []
  for (const r of s.replays) {
    const refs = r.slice.refs
    if (refs === undefined) continue
    if (!refs.drafts.every((d) => s.states[d.key] === d)) continue
    if (refs.sls.some((name) => regrouped.has(name))) continue
    out.push([r.start, r.start + r.slice.states.length])
  }
  return out
}

/** Whether `drafts` resolve to exactly `node.requisites` (without allocating for the usual handles). */
function sameRequisites(
  s: Session,
  node: StateNode,
  drafts: readonly RequisiteDraft[] | undefined,
  membersOf: (sls: string) => readonly number[],
): boolean {
  const had = node.requisites
  if (drafts === undefined) return had.length === 0
  let j = 0
  for (const r of drafts) {
    const inner = byNameTarget(r.ref)
    const target = resolveRef(s, inner ?? r.ref)
    if (target === undefined) return false
    const keys = typeof target === 'number' ? undefined : membersOf(target.sls)
    const count = keys === undefined ? 1 : keys.length
    for (let k = 0; k < count; k++, j++) {
      const h = had[j]
      if (h === undefined || h.kind !== r.kind || h.origin !== r.origin) return false
      if ((h.byName === true) !== (inner !== undefined)) return false
      const sls = keys === undefined ? undefined : (target as { sls: string }).sls
      if (h.target !== (keys === undefined ? target : keys[k]) || h.sls !== sls) return false
    }
  }
  return j === had.length
}

/** Whether two states were declared alike: the same ID, function, SLS, place, arguments and conditions. */
function sameDeclaration(a: StateNode, b: StateDraft): boolean {
  return (
    a.id === b.id &&
    a.module === b.module &&
    a.fun === b.fun &&
    a.sls === b.sls &&
    a.unchecked === b.unchecked &&
    sameValue(a.extra, b.extra) &&
    a.origin.file === b.origin.file &&
    a.origin.line === b.origin.line &&
    a.origin.column === b.origin.column &&
    sameValue(a.when, b.when) &&
    sameValue(a.args, b.args) &&
    // what forEach(), a rendered or joined ID, ifDefined() and choose() recorded
    a.joins === b.joins &&
    sameValue(a.idExpr, b.idExpr) &&
    sameValue(a.loops, b.loops) &&
    sameValue(a.optional, b.optional) &&
    sameValue(a.funChoice, b.funChoice) &&
    sameValue(a.layout, b.layout) &&
    // an extend entry and an external() handle (extend.ts, external.ts)
    a.extends === b.extends &&
    a.external === b.external
  )
}

/** Deep equality of recorded values (arguments, conditions, expressions: plain data, frozen). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b) || isExpr(a) !== isExpr(b)) return false
  const keys = Object.keys(a)
  const others = Object.keys(b)
  if (keys.length !== others.length) return false
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    // the key order is the emission order
    if (others[i] !== k) return false
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  }
  return true
}

function hasPillar(s: Session): boolean {
  const p = s.pillar
  return p.schema !== undefined || p.inventory !== undefined || p.layers.length > 0 || p.profiles.length > 0
}

function freezePillar(s: Session): NonNullable<Program['pillar']> {
  const p = s.pillar
  return Object.freeze({
    schema: p.schema,
    layers: Object.freeze([...p.layers]),
    profiles: Object.freeze([...p.profiles]),
    inventory: p.inventory,
  })
}
