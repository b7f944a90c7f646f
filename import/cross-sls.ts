// Requisites across SLS: which SLS holds the state a requisite names, whether salt-dsl can name it with a
// handle (a state of an SLS the includes bring in, or one Salt renders before: the include salt-dsl adds
// for it changes nothing then), and the states of other SLS an SLS names.
import type { MachineRender } from './salt-renders.ts'
import { includeClosure, renderedBefore } from './sls-includes.ts'
import type { LowState } from './sls-source.ts'

const REQUISITE_KEY = /^(prereq|use|listen|require|watch|onchanges|onfail)(_in|_any)?$/

/** The `module|id` a requisite item names, or undefined when it is not one state of a module by ID. */
export function targetOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined
  const entries = Object.entries(item)
  if (entries.length !== 1) return undefined
  const [module, id] = entries[0] as [string, unknown]
  return module === 'sls' || typeof id !== 'string' ? undefined : `${module}|${id}`
}

/** Where the requisites of an SLS may point beyond it. */
export interface Reach {
  readonly name: string
  /** The SLS of state `module|id` in the renders: '' when it differs per machine, undefined when none has it. */
  readonly slsOf: (key: string) => string | undefined
  /** The SLS its includes bring in (theirs too) on every machine that renders it. */
  readonly included: ReadonlySet<string>
  /** The SLS Salt has begun to render before it, or its includes bring in, on every machine that renders it. */
  readonly before: ReadonlySet<string>
  /** The SLS its includes bring in on some machine. */
  readonly includedOnSome?: ReadonlySet<string>
}

/** Why a requisite on `target`, a state of no place before or after this one in its SLS, is not a handle. */
export function foreignReason(k: string, item: string, target: string, reach: Reach): string | undefined {
  const home = reach.slsOf(target)
  // Salt also finds a state by its name; a handle names its ID
  if (home === undefined) return `'${k}' names ${item}: no state has that ID (Salt finds it by its name)`
  if (home === '') return `'${k}' names ${item}, a state of another SLS per machine`
  if (home === reach.name) return `'${k}' names ${item}, itself`
  // salt-dsl includes the SLS a requisite points into: alike only when Salt has rendered that SLS by then (its
  // includes brought it in, or it came first); else the include would render it earlier, or at all
  if (!reach.included.has(home) && !reach.before.has(home) && reach.includedOnSome?.has(home))
    return `'${k}' names ${item}, a state of SLS '${home}', which it includes on some machines only (salt-dsl includes the SLS a requisite names on every machine)`
  if (!reach.included.has(home) && !reach.before.has(home))
    return `'${k}' names ${item}, a state of SLS '${home}', which it does not include and Salt does not render before it`
  return undefined
}

/** Each state's SLS in the machines' highstates (`module|id` → SLS names). */
export function statesHome(renders: readonly MachineRender[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const r of renders)
    for (const [id, body] of Object.entries(r.highstate ?? {})) {
      const sls = (body as { __sls__?: unknown } | null)?.__sls__
      if (typeof sls !== 'string') continue
      for (const module of Object.keys(body as object).filter((k) => !k.startsWith('__'))) {
        const key = `${module}|${id}`
        out.set(key, (out.get(key) ?? new Set()).add(sls))
      }
    }
  return out
}

/** The states of other SLS that `states` name in their requisites (`module|id` → SLS). */
export function foreignTargets(states: readonly LowState[], reach: Reach): Map<string, string> {
  const own = new Set(states.map((s) => `${s.module}|${s.id}`))
  const out = new Map<string, string>()
  for (const s of states)
    for (const [k, v] of Object.entries(s.args))
      if (REQUISITE_KEY.test(k))
        for (const item of (Array.isArray(v) ? v : [v]) as unknown[]) {
          const t = targetOf(item)
          const home = t === undefined ? undefined : reach.slsOf(t)
          if (t !== undefined && !own.has(t) && home) out.set(t, home)
        }
  return out
}

/**
 * Where the requisites of SLS `name` may point on every machine that renders it, each machine's includes
 * as it renders them (`includesOf`): the SLS its includes bring in, and those Salt has begun to render before
 * it or its includes bring in (none when a walk is unknown).
 */
export function reachOnEvery(
  name: string,
  renders: readonly MachineRender[],
  includesOf: (r: MachineRender) => (sls: string) => readonly string[] | undefined,
): Pick<Reach, 'included' | 'before' | 'includedOnSome'> {
  let included: Set<string> | undefined
  let before: Set<string> | undefined
  const includedOnSome = new Set<string>()
  const meet = (a: Set<string> | undefined, b: Set<string>) =>
    a === undefined ? b : new Set([...a].filter((s) => b.has(s)))
  for (const r of renders) {
    // a machine the SLS has no states on renders its file too, and the include salt-dsl would add
    const mine = renderedBefore(name, r.top, includesOf(r))
    if (mine === null) continue
    if (mine === undefined) return { included: new Set(), before: new Set() }
    const closure = includeClosure(name, includesOf(r))
    for (const s of closure) includedOnSome.add(s)
    included = meet(included, closure)
    before = meet(before, new Set([...mine, ...closure]))
  }
  return { included: included ?? new Set(), before: before ?? new Set(), includedOnSome }
}
