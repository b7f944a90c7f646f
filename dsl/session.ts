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

/** What the builders record while user code runs. One per load; shared across module copies. */
export interface Session {
  readonly states: StateDraft[]
  /** The requisites each state was given, by state key (absent for none), resolved at the end. */
  readonly drafts: (readonly RequisiteDraft[] | undefined)[]
  readonly sls: Map<string, SlsDraft>
  readonly top: TopEntry[]
  readonly assets: Asset[]
  readonly issues: BuilderIssue[]
  readonly when: Cond[]
  current: SlsNode | undefined
  /** What pillarSchema / layer / profile / inventory recorded. */
  readonly pillar: {
    schema?: PillarSchemaNode
    layers: LayerNode[]
    profiles: ProfileNode[]
    inventory?: InventoryNode
  }
  /** Maps a position in the running file to the user's source (installed by the loader). */
  locate: (origin: Origin) => Origin
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
function resolveRef(ref: unknown): number | { sls: string } | undefined {
  const value = typeof ref === 'function' ? (ref as () => unknown)() : ref
  if (isSlsHandle(value)) return { sls: value.name }
  if (value !== null && typeof value === 'object' && HANDLE in value) {
    return (value as Record<symbol, unknown>)[HANDLE] as number
  }
  return undefined
}

/** Reports a second declaration of something that may exist once, pointing at the first. */
export function addDuplicate(code: string, what: string, first: Origin, origin: Origin, hint?: string): void {
  addIssue(code, `${what} (first at ${first.file}:${first.line})`, origin, hint)
}

export const NO_REQUISITES: readonly Requisite[] = Object.freeze([])

/** Freezes what was recorded into the IR, resolving requisite thunks. */
export function finishSession(s: Session): Program {
  let bySls: Map<string, number[]> | undefined
  const membersOf = (name: string): readonly number[] => {
    if (bySls === undefined) {
      bySls = new Map()
      for (const x of s.states) {
        const keys = bySls.get(x.sls)
        if (keys === undefined) bySls.set(x.sls, [x.key])
        else keys.push(x.key)
      }
    }
    return bySls.get(name) ?? []
  }
  const resolveDraft = (draft: StateNode, r: RequisiteDraft): Requisite[] => {
    const target = resolveRef(r.ref)
    if (target === undefined) {
      const hint = 'pass the value a builder or sls() returned, e.g. `require: [gitPkg]`'
      addIssue('DSL1004', `a \`${r.kind}\` entry of '${draft.id}' is not a state handle`, r.origin, hint, s)
      return []
    }
    if (typeof target === 'number') return [Object.freeze({ kind: r.kind, target, origin: r.origin })]
    // a whole SLS: one requisite per state in it (what Salt does with `- sls: name`), emitted as one line
    return membersOf(target.sls).map((key) =>
      Object.freeze({ kind: r.kind, target: key, sls: target.sls, origin: r.origin }),
    )
  }
  const states: readonly StateNode[] = s.states
  for (const d of s.states) {
    const drafts = s.drafts[d.key]
    if (drafts !== undefined) d.requisites = Object.freeze(drafts.flatMap((r) => resolveDraft(d, r)))
  }
  for (const d of s.states) Object.freeze(d)
  return Object.freeze({
    states: Object.freeze([...states]),
    sls: Object.freeze([...s.sls.values()].map((d) => d.node)),
    top: Object.freeze([...s.top]),
    assets: Object.freeze([...s.assets]),
    issues: Object.freeze([...s.issues]),
    ...(hasPillar(s) ? { pillar: freezePillar(s) } : {}),
  })
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
