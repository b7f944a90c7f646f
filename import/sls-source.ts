// The TypeScript of one translated SLS: each state as its typed builder's call where one writes it exactly
// (builder-call.ts), else as state('module.function', ...); each requisite as the handle of the state it
// names (a thunk for one declared further down, the `_in` forms), a state of another SLS through what the
// config gives for it (that SLS's returned handle, or external()); states only some machines have inside
// when() on their `os` grain; the file's includes as the `include` option (one only some machines have with
// `when` on their `os` grain, or their minion IDs).
import { MODE_ARGS } from '../dsl/file-mode.ts'
import { builderCall } from './builder-call.ts'
import { isByName, slsItemOf, targetsOf } from './cross-sls.ts'
import { handleName, tsKey, tsLiteral, tsString } from './literal.ts'
import { passedOn } from './passed-on.ts'
import type { IncludeItem } from './sls-includes.ts'

/** One state of a rendered highstate: its ID, module, function and arguments in Salt's order. */
export interface LowState {
  readonly id: string
  readonly module: string
  readonly fun: string
  readonly args: Readonly<Record<string, unknown>>
  /** Only these machines have it (with these `os` grains); every machine when absent. */
  readonly on?: {
    readonly machines: readonly string[]
    readonly os: readonly string[]
    /** Told apart by minion ID (`grains.id`): machines share an os grain, or have one salt-dsl does not know. */
    readonly byId?: true
  }
}

/** Each state's when() block: consecutive states only the same machines have share one. */
export function whenBlocks(states: readonly LowState[]): number[] {
  let block = 0
  return states.map((s, i) => {
    const on = (x: LowState | undefined) => JSON.stringify(x?.on?.machines ?? null)
    if (i > 0 && on(s) !== on(states[i - 1])) block++
    return block
  })
}

/** The machines a state is on, as a key: states under when() on the same machines share one. */
export const groupOf = (s: LowState | undefined): string => JSON.stringify(s?.on?.machines ?? null)

/**
 * The place of the state `key` (`module|id`) that state `i` names: the one on the same machines (a state
 * written once per group of machines has a copy for each), else the first.
 */
export function targetIndex(states: readonly LowState[], i: number, key: string): number {
  let any = -1
  for (const [j, s] of states.entries()) {
    if (`${s.module}|${s.id}` !== key) continue
    if (groupOf(s) === groupOf(states[i])) return j
    if (any < 0) any = j
  }
  return any
}

const REQUISITE = /^(require|watch|onchanges|onfail|prereq|listen)(_in)?$/

/** The `module|id`s each requisite item names (translate-sls.ts has checked they are such items). */
const itemTargets = (v: unknown): string[][] => ((Array.isArray(v) ? v : [v]) as object[]).map(targetsOf)

/** Every `module|id` the items name. */
const targets = (v: unknown): string[] => itemTargets(v).flat()

/** Whether each requisite item names its state by name (written `byName(handle, ...)`). */
const byNames = (v: unknown): boolean[] => ((Array.isArray(v) ? v : [v]) as object[]).map(isByName)

/**
 * Whether a builder writes the state's keys in their order: `name` (not the ID) first, the arguments, then
 * `order` and `failhard`, then the requisites kind by kind in REQUISITE_KINDS order. state() keeps any order.
 */
function builderOrder(s: LowState): boolean {
  if (s.args.name === s.id) return false
  // a builder's options are typed: what the pinned Salt passes on is state()'s `extra`
  if (passedOn(s.module, s.fun, Object.keys(s.args)).length > 0) return false
  const keys = Object.keys(s.args)
  // the builder's first argument (`name`, or pkg()'s list) is written first, requisites where they stand
  if (REQUISITE.test(keys[0] ?? '') && ('name' in s.args || 'pkgs' in s.args)) return false
  // `order` and `failhard` come last, in that order
  const first = keys.findIndex((k) => k === 'order' || k === 'failhard')
  if (first < 0) return true
  const tail = keys.slice(first)
  return tail.every((k) => k === 'order' || k === 'failhard') && tail.join() !== 'failhard,order'
}

/** A file mode Salt's YAML gave as an integer (`mode: 644`): octal(644) emits it so. */
const isIntMode = (s: LowState, k: string, v: unknown) =>
  s.module === 'file' && MODES.has(k) && typeof v === 'number'
const MODES = new Set<string>(MODE_ARGS)

/** What the config gives an SLS's source for what lies beyond it. */
export interface SourceContext {
  /** The handle expression for a requisite of kind `kind` on state `key` (`module|id`) of SLS `sls`. */
  readonly ref: (kind: string, key: string, sls: string) => string
  /** The expression for an include of SLS `sls`. */
  readonly include: (sls: string) => string
}

/** What lies beyond the SLS: the states other SLS name, those of other SLS it names, its includes. */
export interface SlsLinks {
  /** Its states (`module|id`) that other SLS name: the body returns their handles. */
  readonly exported: ReadonlySet<string>
  /** The states of other SLS it names (`module|id` → SLS). */
  readonly foreign: ReadonlyMap<string, string>
  readonly includes: readonly IncludeItem[]
}

/** The condition holding on the machines `on` names: their `os` grains, or their minion IDs. */
function onCond(on: NonNullable<LowState['on']>): string {
  const [grain, values] = on.byId === true ? ['id', on.machines] : ['os', on.os]
  return values.length === 1
    ? `eq(grains.${grain}, ${tsString(values[0] as string)})`
    : `oneOf(grains.${grain}, [${values.map(tsString).join(', ')}])`
}

export interface SlsSource {
  readonly source: (handle: string, context: SourceContext) => string
  /** The variable of each exported state. */
  readonly exported: ReadonlyMap<string, string>
  /** Per state, whether a typed builder writes it. */
  readonly byBuilder: readonly boolean[]
  /** The builders called. */
  readonly builders: readonly string[]
  /** What the source takes from salt-dsl: the builders, `state`, `when` and its condition's names. */
  readonly imports: readonly string[]
}

/** The `export const <handle> = sls(...)` source of SLS `name` with `states` (in Salt's order). */
export function slsSource(name: string, states: readonly LowState[], links: SlsLinks): SlsSource {
  const keyOf = (s: LowState) => `${s.module}|${s.id}`
  // a variable for each state another one names (here or in another SLS), and for the first state of an
  // ID several states share
  const blocks = whenBlocks(states)
  const local = (i: number, t: string) => (links.foreign.has(t) ? -1 : targetIndex(states, i, t))
  // a variable for each state another one names (here or in another SLS), and for the first state of an
  // ID several states share (in its when() block: a state written per group of machines has one per group)
  const named = new Set<number>()
  for (const [i, s] of states.entries()) {
    for (const [k, v] of Object.entries(s.args))
      if (REQUISITE.test(k)) for (const t of targets(v)) named.add(local(i, t))
    if (links.exported.has(keyOf(s))) named.add(i)
  }
  const vars = new Map<number, string>()
  const hostOf = new Map<number, number>()
  // a handle other SLS name is named after its state (`siteBase.pkgBaseTools`), the others by their place
  const used = new Set<string>()
  const nameOf = (s: LowState, i: number) => {
    if (!links.exported.has(keyOf(s))) return `s${i}`
    let v = handleName(s.module, s.id)
    while (used.has(v) || /^s\d+$/.test(v)) v = `${v}_`
    used.add(v)
    return v
  }
  for (const [i, s] of states.entries()) {
    const host = states.findIndex((o, j) => o.id === s.id && blocks[j] === blocks[i])
    const shared = states.some((o, j) => j !== i && o.id === s.id && blocks[j] === blocks[i])
    if (shared) hostOf.set(i, host)
    if (!named.has(i) && !(shared && host === i)) continue
    vars.set(i, nameOf(s, i))
  }
  const calls = new Set<string>()
  const builders = new Set<string>()
  const builderOf = (s: LowState) =>
    builderOrder(s) ? builderCall(s.module, s.fun, s.id, plainOf(s)) : undefined
  const byBuilder = states.map((s) => builderOf(s) !== undefined)
  const line = (i: number, context: SourceContext) => {
    const s = states[i] as LowState
    const requisite = (k: string, v: unknown) => {
      const named = byNames(v)
      const refOf = (t: string) => {
        const home = links.foreign.get(t)
        // a state declared further down: a thunk, called once every state is declared (the `_in` forms
        // always take one, as they mostly name a later state)
        const j = local(i, t)
        return home !== undefined
          ? context.ref(k, t, home)
          : j > i || k.endsWith('_in')
            ? `() => ${vars.get(j)}`
            : (vars.get(j) as string)
      }
      const items = (Array.isArray(v) ? v : [v]) as unknown[]
      const refs = itemTargets(v).map((all, n) => {
        // a whole SLS (`- sls: name`): its handle, as the include names it (translate-sls.ts checked)
        const whole = slsItemOf(items[n])
        if (whole !== undefined) return context.include(whole)
        if (!named[n]) return refOf(all[0] as string)
        calls.add('byName')
        return `byName(${all.map(refOf).join(', ')})`
      })
      return `${k}: [${refs.join(', ')}]`
    }
    const host = hostOf.get(i)
    const joins = host !== undefined && host !== i
    const idText = joins ? vars.get(host) : tsString(s.id)
    const b = builderOf(s)
    let call: string
    if (b !== undefined) {
      calls.add(b.builder)
      builders.add(b.builder)
      // the options in Salt's order, requisites where they stand (a builder keeps their places)
      const rest = new Map(b.rest)
      const options = [
        ...(b.needsId || joins ? [`id: ${idText}`] : []),
        ...(b.ensure === undefined ? [] : [`ensure: '${b.ensure}'`]),
        ...Object.entries(s.args).flatMap(([k, v]) => {
          if (REQUISITE.test(k)) return [requisite(k, v)]
          if (!rest.has(k)) return []
          if (!isIntMode(s, k, v)) return [`${tsKey(k)}: ${tsLiteral(v, '    ')}`]
          calls.add('octal')
          return [`${tsKey(k)}: octal(${v})`]
        }),
      ]
      const body = options.length === 0 ? '' : `, {${options.map((o) => `\n    ${o},`).join('')}\n  }`
      call = `${b.builder}(${tsLiteral(b.first, '  ')}${body})`
    } else {
      calls.add('state')
      // state() writes the keys in the order given: Salt's, requisites among the arguments
      const extra = passedOn(s.module, s.fun, Object.keys(s.args))
      const options = [
        `id: ${idText}`,
        ...Object.entries(s.args).flatMap(([k, v]) => {
          if (REQUISITE.test(k)) return [requisite(k, v)]
          // what Salt passes on: in one `extra`, where the first of them was (translate-sls.ts checked)
          if (extra.includes(k)) {
            if (k !== extra[0]) return []
            const all = extra.map((x) => `${tsKey(x)}: ${tsLiteral(s.args[x], '      ')}`)
            return [`extra: {${all.map((x) => `\n      ${x},`).join('')}\n    }`]
          }
          if (!isIntMode(s, k, v)) return [`${tsKey(k)}: ${tsLiteral(v, '    ')}`]
          calls.add('octal')
          return [`${tsKey(k)}: octal(${v})`]
        }),
      ]
      call = `state('${s.module}.${s.fun}', {${options.map((o) => `\n    ${o},`).join('')}\n  })`
    }
    const v = vars.get(i)
    if (v === undefined) return `  ${call}`
    return hoisted.has(v) ? `  ${v} = ${call}` : `  const ${v} = ${call}`
  }
  for (const on of states.flatMap((s) => (s.on === undefined ? [] : [s.on])))
    calls
      .add((on.byId === true ? on.machines : on.os).length === 1 ? 'eq' : 'oneOf')
      .add('grains')
      .add('when')
  for (const { on } of links.includes)
    if (on !== undefined) calls.add(onCond(on).startsWith('eq(') ? 'eq' : 'oneOf').add('grains')
  const exported = new Map(
    [...links.exported].map((k) => [k, vars.get(states.findIndex((s) => keyOf(s) === k)) as string]),
  )
  // a handle of a state in a when() that other SLS name, or a state in another when() block: declared before
  // it, so that the body can return it and the other block see it
  const hoisted = new Set(
    states.flatMap((s, i) => (s.on !== undefined && links.exported.has(keyOf(s)) ? [vars.get(i)] : [])),
  )
  for (const [i, s] of states.entries())
    for (const [k, v] of Object.entries(s.args))
      if (REQUISITE.test(k))
        for (const t of targets(v)) {
          const j = local(i, t)
          if (j >= 0 && states[j]?.on !== undefined && blocks[j] !== blocks[i]) hoisted.add(vars.get(j))
        }
  if (hoisted.size > 0) calls.add('type StateHandle')
  // what the source calls is known before it is written
  for (const i of states.keys()) line(i, { ref: () => '', include: () => '' })
  const source = (handle: string, context: SourceContext) => {
    // consecutive states only the same machines have: one when() on their os grains
    const body = [...hoisted].map((v) => `  let ${v}!: StateHandle`)
    for (const [i, s] of states.entries()) {
      const text = line(i, context)
      const on = s.on
      if (on === undefined) {
        body.push(text)
        continue
      }
      if (i === 0 || blocks[i - 1] !== blocks[i]) body.push(`  when(${onCond(on)}, () => {`)
      body.push(text.replace(/^/gm, '  '))
      if (i === states.length - 1 || blocks[i + 1] !== blocks[i]) body.push('  })')
    }
    // the handles other SLS name, for their requisites
    if (exported.size > 0) body.push(`  return { ${[...exported.values()].join(', ')} }`)
    const items = links.includes.map(({ sls, on }) =>
      on === undefined ? context.include(sls) : `{ sls: ${context.include(sls)}, when: ${onCond(on)} }`,
    )
    const include = items.length === 0 ? '' : `, { include: [${items.join(', ')}] }`
    return `export const ${handle} = sls(${tsString(name)}, () => {\n${body.join('\n')}\n}${include})`
  }
  return {
    source,
    exported,
    byBuilder,
    builders: [...builders].sort(),
    imports: [...calls].sort(),
  }
}

const plainOf = (s: LowState) =>
  Object.fromEntries(Object.entries(s.args).filter(([k]) => !REQUISITE.test(k)))
