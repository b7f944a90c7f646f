// Requisites across SLS: which SLS holds the state a requisite names, whether salt-dsl can name it with a
// handle (a state of an SLS the includes bring in, or one Salt renders before: the include salt-dsl adds
// for it changes nothing then), and the states of other SLS an SLS names.
import type { MachineRender } from './salt-renders.ts'
import { includeClosure, renderedBefore } from './sls-includes.ts'
import type { LowState } from './sls-source.ts'

/** Every requisite keyword Salt reads, `_in` and `_any` forms included. */
export const REQUISITE_KEY = /^(prereq|use|listen|require|watch|onchanges|onfail)(_in|_any)?$/

/**
 * The key a requisite item carries when Salt finds its state by the state's name, not its ID: the item is
 * then `{ <module>: <the ID>, [BY_NAME]: <the name written> }` (byNameItems), written as `byName(handle)`.
 */
export const BY_NAME = '<by name>'
/** The other states a by-name item binds (Salt binds every state of the module carrying that name). */
export const ALSO = '<and>'

/** The `module|id` a requisite item names, or undefined when it is not one state of a module by ID. */
export function targetOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined
  const entries = Object.entries(item).filter(([k]) => k !== BY_NAME && k !== ALSO)
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
          for (const t of targetsOf(item)) {
            const home = reach.slsOf(t)
            if (!own.has(t) && home) out.set(t, home)
          }
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

/** Every `module|id` a requisite item names: one, or each state a by-name item binds; [] when none. */
export function targetsOf(item: unknown): string[] {
  const t = targetOf(item)
  if (t === undefined) return []
  const also = (item as Record<string, unknown>)[ALSO]
  const module = t.slice(0, t.indexOf('|'))
  return [t, ...(Array.isArray(also) ? also.map((id) => `${module}|${String(id)}`) : [])]
}

/** The SLS a requisite item names whole (`- sls: name`), or undefined when it names no SLS. */
export function slsItemOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined
  const entries = Object.entries(item)
  if (entries.length !== 1) return undefined
  const [module, name] = entries[0] as [string, unknown]
  return module === 'sls' && typeof name === 'string' ? name : undefined
}

/** Whether a requisite item names its state by name (byNameItems). */
export const isByName = (item: unknown): boolean =>
  item !== null && typeof item === 'object' && BY_NAME in (item as object)

/**
 * `module|value` → the `module|id`s a requisite naming `value` binds by the states' name (Salt matches a
 * requisite against the ID and the name of every state of the module, salt/utils/requisite.py): only where
 * no state has `value` as its ID, none has it among its `names`, and the states carrying it as their name
 * are the same on every machine.
 */
export function byNameIndex(renders: readonly MachineRender[]): Map<string, string[]> {
  const ids = new Set<string>()
  const named = new Map<string, Set<string>>()
  for (const r of renders)
    for (const [id, body] of Object.entries(r.highstate ?? {})) {
      if (body === null || typeof body !== 'object' || id.startsWith('__')) continue
      for (const [module, parts] of Object.entries(body as Record<string, unknown>)) {
        if (module.startsWith('__') || !Array.isArray(parts)) continue
        ids.add(`${module}|${id}`)
        for (const p of parts) {
          if (p === null || typeof p !== 'object') continue
          const a = p as Record<string, unknown>
          const names = [
            ...(typeof a.name === 'string' && a.name !== id ? [a.name] : []),
            // each of `names` is a name Salt binds too: such a value is not written by name here
            ...(Array.isArray(a.names)
              ? a.names.map((n) => (typeof n === 'string' ? n : JSON.stringify(n)))
              : []),
          ]
          for (const n of names) {
            const key = `${module}|${n}`
            named.set(key, (named.get(key) ?? new Set()).add(Array.isArray(a.names) ? '' : `${module}|${id}`))
          }
        }
      }
    }
  const out = new Map<string, string[]>()
  for (const [key, states] of named) if (!ids.has(key) && !states.has('')) out.set(key, [...states])
  return out
}

/** `states` with each requisite item that names its state by name carrying that state's ID (byNameIndex). */
export function byNameItems(
  states: readonly LowState[],
  index: ReadonlyMap<string, readonly string[]>,
): LowState[] {
  if (index.size === 0) return [...states]
  return states.map((s) => {
    let args: Record<string, unknown> | undefined
    for (const [k, v] of Object.entries(s.args)) {
      if (!REQUISITE_KEY.test(k) || k.startsWith('use')) continue
      const items = (Array.isArray(v) ? v : [v]) as unknown[]
      const mapped = items.map((item) => {
        const t = targetOf(item)
        const bound = t === undefined ? undefined : index.get(t)
        if (t === undefined || bound === undefined) return item
        const module = t.slice(0, t.indexOf('|'))
        const [id, ...also] = bound.map((b) => b.slice(module.length + 1))
        return {
          [module]: id,
          [BY_NAME]: t.slice(module.length + 1),
          ...(also.length === 0 ? {} : { [ALSO]: also }),
        }
      })
      if (mapped.every((m, i) => m === items[i])) continue
      args ??= { ...s.args }
      args[k] = Array.isArray(v) ? mapped : mapped[0]
    }
    return args === undefined ? s : { ...s, args }
  })
}
