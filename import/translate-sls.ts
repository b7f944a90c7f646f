// Which SLS of the tree become TypeScript, and why the others stay hand-written Salt. An SLS is translated
// when Salt renders its states the same on every machine (or differing per `os` grain: in values, as
// byPlatform; beyond them, a copy per group of machines under when(), which no other SLS names), its
// file includes a list of SLS (written again as the `include` option; an include Jinja decides as Salt renders
// it on each machine, under when() where they differ) and extends none, and salt-dsl
// emits each state with the same arguments in the same order: `name` first, requisites after the arguments
// in salt-dsl's order, each naming a state by ID: one of the same SLS (a thunk when declared after it), or
// one of an SLS its includes bring in (a handle another translated SLS returns, or external() on
// hand-written Salt; the include salt-dsl adds for it is then one Salt has already done); or a whole SLS
// its includes bring in (`- sls: name`), translated with the same states on every machine (its handle).

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CATALOG_SALT_VERSION, lookupStateFunction } from '../dsl/catalog/index.ts'
import { MODE_ARGS } from '../dsl/file-mode.ts'
import {
  byNameIndex,
  byNameItems,
  foreignReason,
  foreignTargets,
  REQUISITE_KEY,
  type Reach,
  reachOnEvery,
  slsItemOf,
  statesHome,
  targetsOf,
} from './cross-sls.ts'
import { mergeRenders } from './merge-renders.ts'
import { passedOnReason } from './passed-on.ts'
import { PerOs } from './per-os.ts'
import type { MachineRender } from './salt-renders.ts'
import { type IncludeItem, includeReader, includesOn, jinjaIncludeItems } from './sls-includes.ts'
import {
  groupOf,
  type LowState,
  type SourceContext,
  slsSource,
  targetIndex,
  whenBlocks,
} from './sls-source.ts'

/** One SLS turned into TypeScript: its name, its file in the original tree and its `sls()` source. */
export interface TranslatedSls {
  readonly name: string
  readonly file: string
  readonly states: number
  /** Per machine, how many of its states a typed builder writes and how many state() does. */
  readonly perMachine: ReadonlyMap<string, { readonly builders: number; readonly stateCalls: number }>
  /** The builders it calls (`pkg`, `service`, ...). */
  readonly builders: readonly string[]
  /** The names its source takes from salt-dsl (builders, `state`, `when`, `grains`, ...). */
  readonly imports: readonly string[]
  /** It holds a byPlatform value. */
  readonly perPlatform: boolean
  /** The SLS its file includes, in its order. */
  readonly includes: readonly string[]
  /** The variable of each of its states another translated SLS names (`module|id` → `s3`): it returns them. */
  readonly exported: ReadonlyMap<string, string>
  readonly source: (handle: string, context: SourceContext) => string
}

/** Why an SLS was not translated: every reason found, and its states per machine. */
export interface KeptSls {
  readonly name: string
  readonly reason: string
  readonly reasons: readonly string[]
  readonly states: ReadonlyMap<string, number>
}

// the requisites a handle writes (a thunk for a state declared further down): Salt's `use` copies arguments
// and the `_any` forms take alternatives, neither of which the importer writes
const FORWARD = new Set(['require', 'watch', 'onchanges', 'onfail', 'prereq', 'listen'])
const BACKWARD = new Set([...FORWARD].map((k) => `${k}_in`))
const MODES = new Set<string>(MODE_ARGS)
// Salt globs these requisites' IDs; the emitter escapes glob characters, which changes the render
const GLOB = /[*?[\]]/

/** The file of SLS `name` under `root`, as Salt looks it up (`a.b` → `a/b.sls`, else `a/b/init.sls`). */
export function slsFile(root: string, name: string): string | undefined {
  const base = join(root, ...name.split('.'))
  for (const f of [`${base}.sls`, join(base, 'init.sls')]) if (existsSync(f)) return f
  return undefined
}

/** How many states each SLS has in one machine's highstate (a state is one module under one ID). */
export function statesPerSls(high: Readonly<Record<string, unknown>> | undefined): Map<string, number> {
  const out = new Map<string, number>()
  for (const [id, body] of Object.entries(high ?? {})) {
    if (id === '__extend__' || body === null || typeof body !== 'object') continue
    const b = body as Record<string, unknown>
    if (typeof b.__sls__ !== 'string') continue
    const n = Object.keys(b).filter((k) => !k.startsWith('__')).length
    out.set(b.__sls__, (out.get(b.__sls__) ?? 0) + n)
  }
  return out
}

/** The states of SLS `sls` in one machine's highstate, in Salt's order; a string when one cannot be read. */
function statesOf(high: Readonly<Record<string, unknown>>, sls: string): LowState[] | string {
  const found: { order?: number; state: LowState }[] = []
  for (const [id, body] of Object.entries(high)) {
    if (id === '__extend__' || body === null || typeof body !== 'object') continue
    const b = body as Record<string, unknown>
    if (b.__sls__ !== sls) continue
    // one ID may hold several states (a group, a user and a home under one name): each is a state of its own
    for (const module of Object.keys(b).filter((k) => !k.startsWith('__'))) {
      const parts = b[module] as unknown[]
      const fun = parts.filter((p): p is string => typeof p === 'string')
      if (fun.length !== 1) return `'${id}': no single function for ${module}`
      const args: Record<string, unknown> = {}
      let order: number | undefined
      for (const p of parts)
        if (p !== null && typeof p === 'object') {
          // one list item holding several keys (`- context:` with its keys beside it, not under it): Salt
          // keeps them in one item, salt-dsl writes an item per argument
          const keys = Object.keys(p)
          if (keys.length > 1)
            return `'${id}': one item holds the arguments ${keys.map((k) => `'${k}'`).join(', ')}`
          for (const [k, v] of Object.entries(p)) {
            // a TypeScript object holds a key once; Salt keeps both (the emitted state would lose one)
            if (k in args) return `'${id}': argument '${k}' is given twice`
            // Salt numbers the states without an order of their own from 10000 in the order it renders
            // them (state_auto_order): the TypeScript, declared in that order, gets the same numbers
            if (k === 'order' && typeof v === 'number' && v >= 10000) order = v
            else args[k] = v
          }
        }
      found.push({
        ...(order === undefined ? {} : { order }),
        state: { id, module, fun: fun[0] as string, args },
      })
    }
  }
  // Salt lists a highstate's IDs as it renders them; the numbers tell when it does not (then no state may
  // have an order of its own, whose place would be unknown)
  const numbers = found.flatMap((f) => (f.order === undefined ? [] : [f.order]))
  if (numbers.every((n, i) => i === 0 || n > (numbers[i - 1] as number))) return found.map((f) => f.state)
  if (found.some((f) => f.order === undefined))
    return 'an order of its own, in a highstate Salt lists out of order'
  return found.sort((a, b) => (a.order as number) - (b.order as number)).map((f) => f.state)
}

/** Why `state` cannot be written as TypeScript (its own arguments): every reason, empty when it can. */
function argumentReasons(s: LowState): string[] {
  const out: string[] = []
  // state() takes only the pinned Salt's functions (a module moved out of Salt, such as alternatives, is not)
  if (lookupStateFunction(`${s.module}.${s.fun}`) === undefined)
    out.push(`${s.module}.${s.fun} is not a state function of Salt ${CATALOG_SALT_VERSION}`)
  // state() writes the arguments, `order`, `failhard` and the requisites in the order given, `name` too
  if ('order' in s.args) {
    const o = s.args.order
    if (typeof o !== 'number' && o !== 'first' && o !== 'last') out.push(`order ${JSON.stringify(o)}`)
  }
  const passed = passedOnReason(s.module, s.fun, Object.keys(s.args))
  if (passed !== undefined) out.push(passed)
  for (const [k, v] of Object.entries(s.args)) {
    if (s.module !== 'file' || !MODES.has(k)) continue
    // a YAML integer mode is written octal(644), which emits the integer (file-mode.ts)
    if (typeof v === 'number' && !/^[0-7]{1,4}$/.test(String(v)))
      out.push(`mode ${v} is an integer that is not octal digits`)
    if (v instanceof PerOs) out.push('its mode differs per machine')
  }
  return out
}

/** Why the requisites of `s` cannot be handles; `before` / `after` are the states declared around it. */
function requisiteReasons(
  s: LowState,
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  reach: Reach,
): string[] {
  const out: string[] = []
  const reqs = Object.keys(s.args).filter((k) => REQUISITE_KEY.test(k))
  for (const k of reqs) {
    if (!FORWARD.has(k) && !BACKWARD.has(k)) {
      out.push(`requisite '${k}'`)
      continue
    }
    const all = (Array.isArray(s.args[k]) ? s.args[k] : [s.args[k]]) as unknown[]
    // a whole SLS (`- sls: name`) is its handle: alike when the SLS's includes bring it in on every machine
    // (then the include salt-dsl adds for it is one Salt has done); translateSls checks it is translated
    const whole = all.flatMap((x) => slsItemOf(x) ?? [])
    for (const n of whole) {
      const item = JSON.stringify({ sls: n })
      if (!FORWARD.has(k)) out.push(`'${k}' names ${item}: an SLS whole in an \`_in\` requisite`)
      else if (!reach.included.has(n))
        out.push(`'${k}' names ${item}, an SLS it does not include on every machine`)
    }
    if (new Set(whole).size !== whole.length) out.push(`'${k}' names an SLS twice`)
    const items = all.filter((x) => slsItemOf(x) === undefined)
    // a by-name item names each state Salt binds by that name (all written in one byName())
    const targets = items.flatMap((x) => {
      const all = targetsOf(x)
      return all.length === 0 ? [undefined] : all
    })
    const itemOf = items.flatMap((x) =>
      targetsOf(x)
        .map(() => x)
        .concat(targetsOf(x).length === 0 ? [x] : []),
    )
    if (new Set(targets).size !== targets.length) out.push(`'${k}' names a state twice`)
    for (const [i, t] of targets.entries()) {
      const item = JSON.stringify(itemOf[i])
      if (t === undefined) out.push(`'${k}' names ${item}, not one state by module and ID`)
      else if (GLOB.test(t)) out.push(`'${k}' names ${item}, an ID with glob characters`)
      else if (!before.has(t) && !after.has(t)) {
        const why = foreignReason(k, item, t, reach)
        if (why !== undefined) out.push(why)
      }
    }
  }
  return out
}

/** Why `states` cannot be written as TypeScript: each reason once, prefixed by its state. */
function untranslatable(states: readonly LowState[], reach: Reach): string[] {
  const keys = states.map((s) => `${s.module}|${s.id}`)
  const out: string[] = []
  const blocks = whenBlocks(states)
  for (const [i, s] of states.entries()) {
    const before = new Set(keys.slice(0, i))
    const after = new Set(keys.slice(i + 1))
    const reasons = [...argumentReasons(s), ...requisiteReasons(s, before, after, reach)]
    // a handle declared inside a when() is seen only there: what names it must be in the same block
    for (const [k, v] of Object.entries(s.args).filter(([k]) => REQUISITE_KEY.test(k)))
      for (const key of ((Array.isArray(v) ? v : [v]) as unknown[]).flatMap(targetsOf)) {
        const j = targetIndex(states, i, key)
        const target = states[j]
        // a state on more machines than this one is there wherever this one is (not for an `_in`, which
        // puts the requisite on the other)
        const wider =
          !k.endsWith('_in') &&
          s.on !== undefined &&
          s.on.machines.every((m) => target?.on?.machines.includes(m))
        if (target?.on !== undefined && groupOf(target) !== groupOf(s) && !wider)
          reasons.push(`'${k}' names a state only some machines have, outside its when()`)
      }
    // one ID under several modules is written in one place; copies per group of machines never meet
    const overlap = (o: LowState) =>
      o.on === undefined || s.on === undefined || o.on.machines.some((m) => s.on?.machines.includes(m))
    if (states.some((o, j) => o.id === s.id && blocks[j] !== blocks[i] && overlap(o)))
      reasons.push('its ID is shared with a state under another when()')
    for (const r of reasons) out.push(`'${s.id}' (${s.module}): ${r}`)
  }
  return out
}

interface Candidate {
  readonly name: string
  readonly file: string
  readonly merged: readonly LowState[]
  readonly includes: readonly IncludeItem[]
  readonly foreign: ReadonlyMap<string, string>
  /** The SLS its requisites name whole (`- sls: name`). */
  readonly wholeSls: ReadonlySet<string>
  readonly states: ReadonlyMap<string, number>
}

/** The SLS the requisites of `states` name whole (`- sls: name`). */
function wholeSlsOf(states: readonly LowState[]): Set<string> {
  const out = new Set<string>()
  for (const s of states)
    for (const [k, v] of Object.entries(s.args))
      if (REQUISITE_KEY.test(k))
        for (const x of (Array.isArray(v) ? v : [v]) as unknown[]) {
          const n = slsItemOf(x)
          if (n !== undefined) out.add(n)
        }
  return out
}

/** Decides each SLS of the machines' highstates: translated, or kept with the reason. */
export function translateSls(saltRoot: string, renders: readonly MachineRender[]) {
  const candidates: Candidate[] = []
  const kept: KeptSls[] = []
  const names = [
    ...new Set(
      renders.flatMap((r) =>
        Object.values(r.highstate ?? {}).flatMap((b) => {
          const sls = (b as { __sls__?: unknown } | null)?.__sls__
          return typeof sls === 'string' ? [sls] : []
        }),
      ),
    ),
  ]
  const homes = statesHome(renders)
  const slsOf = (key: string) => {
    const h = homes.get(key)
    return h === undefined ? undefined : h.size === 1 ? ([...h][0] as string) : ''
  }
  const read = includeReader()
  const fileOf = (n: string) => slsFile(saltRoot, n)
  // what each SLS includes on a machine: its file's list, or Salt's render there when Jinja decides
  const includesOf = (r: MachineRender) => includesOn(fileOf, read, r.includes)
  const byNames = byNameIndex(renders)
  for (const name of names) {
    const file = slsFile(saltRoot, name)
    const states = new Map(renders.map((r) => [r.machine.id, statesPerSls(r.highstate).get(name) ?? 0]))
    const reasons: string[] = []
    const own = file === undefined ? undefined : read(file)
    if (file === undefined) reasons.push('its file was not found')
    else reasons.push(...(own?.reasons ?? []))
    const jinja = own?.byJinja === true ? jinjaIncludeItems(name, renders) : undefined
    reasons.push(...(jinja?.reasons ?? []))
    const reach: Reach = { name, slsOf, ...reachOnEvery(name, renders, includesOf) }
    const per = renders.map((r) => {
      const found = r.highstate === undefined ? 'no highstate' : statesOf(r.highstate, name)
      return typeof found === 'string' ? found : byNameItems(found, byNames)
    })
    const bad = per.filter((p) => typeof p === 'string')
    reasons.push(...new Set(bad))
    const oses = renders.map((r) => ({ id: r.machine.id, os: String(r.machine.grains.os ?? '') }))
    const merged = bad.length > 0 ? undefined : mergeRenders(per as LowState[][], oses)
    if (merged !== undefined) reasons.push(...untranslatable(merged, reach))
    if (reasons.length > 0 || file === undefined || merged === undefined) {
      kept.push({ name, reason: reasons.join('; '), reasons, states })
      continue
    }
    const includes = jinja?.items ?? (own?.includes ?? []).map((sls) => ({ sls }))
    const foreign = foreignTargets(merged, reach)
    candidates.push({ name, file, merged, includes, foreign, wholeSls: wholeSlsOf(merged), states })
  }
  // a state written once per group of machines has no one handle for another SLS to name
  const copies = (c: Candidate, key: string) => c.merged.filter((s) => `${s.module}|${s.id}` === key).length
  const homeOf = new Map(candidates.map((c) => [c.name, c]))
  for (const c of [...candidates]) {
    const reasons = [...c.foreign].flatMap(([key, home]) => {
      const h = homeOf.get(home)
      if (h === undefined || copies(h, key) < 2) return []
      const [module, id] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)]
      return [
        `it names ${JSON.stringify({ [module]: id })}, a state SLS '${home}' writes once per group of machines`,
      ]
    })
    if (reasons.length === 0) continue
    candidates.splice(candidates.indexOf(c), 1)
    kept.push({ name: c.name, reason: reasons.join('; '), reasons, states: c.states })
  }
  // a requisite on a whole SLS binds the states its TypeScript declares (one per state, written as one
  // `- sls:` line): only a translated SLS with the same states on every machine binds what Salt binds
  for (let dropped = true; dropped; ) {
    dropped = false
    const byName = new Map(candidates.map((c) => [c.name, c]))
    for (const c of [...candidates]) {
      const reasons = [...c.wholeSls].flatMap((n) => {
        const h = byName.get(n)
        const item = JSON.stringify({ sls: n })
        if (h === undefined) return [`it names ${item} whole, an SLS that stays Salt`]
        if (h.merged.length === 0) return [`it names ${item} whole, an SLS without states`]
        if (h.merged.some((st) => st.on !== undefined))
          return [`it names ${item} whole, an SLS whose states differ per machine`]
        return []
      })
      if (reasons.length === 0) continue
      candidates.splice(candidates.indexOf(c), 1)
      kept.push({ name: c.name, reason: reasons.join('; '), reasons, states: c.states })
      dropped = true
    }
  }
  const translated: TranslatedSls[] = []
  for (const c of dependenciesFirst(candidates)) {
    const named = new Set(
      candidates.flatMap((o) => [...o.foreign].flatMap(([key, sls]) => (sls === c.name ? [key] : []))),
    )
    translated.push(finish(c, named, renders))
  }
  return { translated, kept }
}

/** The candidates, each after the translated SLS it includes or names (the config declares them so). */
function dependenciesFirst(candidates: readonly Candidate[]): Candidate[] {
  const byName = new Map(candidates.map((c) => [c.name, c]))
  const out: Candidate[] = []
  const seen = new Set<string>()
  const visit = (c: Candidate) => {
    if (seen.has(c.name)) return
    seen.add(c.name)
    for (const dep of [...c.includes.map((i) => i.sls), ...c.foreign.values(), ...c.wholeSls]) {
      const d = byName.get(dep)
      if (d !== undefined) visit(d)
    }
    out.push(c)
  }
  for (const c of candidates) visit(c)
  return out
}

/** The translated SLS of candidate `c`, returning the states in `named` (other SLS name them). */
function finish(c: Candidate, named: ReadonlySet<string>, renders: readonly MachineRender[]): TranslatedSls {
  const { merged, name } = c
  const perPlatform = merged.some((st) => Object.values(st.args).some((v) => v instanceof PerOs))
  const written = slsSource(name, merged, { exported: named, foreign: c.foreign, includes: c.includes })
  const perMachine = new Map(
    renders.map((r) => {
      const mine = merged.flatMap((st, i) =>
        st.on === undefined || st.on.machines.includes(r.machine.id) ? [written.byBuilder[i]] : [],
      )
      const builders = mine.filter((b) => b === true).length
      return [r.machine.id, { builders, stateCalls: mine.length - builders }]
    }),
  )
  return {
    name,
    file: c.file,
    states: merged.length,
    perMachine,
    builders: written.builders,
    imports: written.imports,
    perPlatform,
    // the report names the machines of an include only some of them have
    includes: c.includes.map((i) =>
      i.on === undefined
        ? i.sls
        : `${i.sls} (on ${(i.on.byId === true ? i.on.machines : i.on.os).join(', ')})`,
    ),
    exported: written.exported,
    source: written.source,
  }
}
