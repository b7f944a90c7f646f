// The TypeScript of one translated SLS: each state as its typed builder's call where one writes it exactly
// (builder-call.ts), else as state('module.function', ...); each requisite as the handle of the state it
// names (a thunk for one declared further down, the `_in` forms).
import { builderCall } from './builder-call.ts'
import { tsKey, tsLiteral } from './literal.ts'

/** One state of a rendered highstate: its ID, module, function and arguments in Salt's order. */
export interface LowState {
  readonly id: string
  readonly module: string
  readonly fun: string
  readonly args: Readonly<Record<string, unknown>>
}

const REQUISITE = /^(require|watch|onchanges|onfail)(_in)?$/

/** The `module|id` each requisite item names (translate-sls.ts has checked they are such items). */
const targets = (v: unknown): string[] =>
  ((Array.isArray(v) ? v : [v]) as object[]).map((t) => {
    const [module, id] = Object.entries(t)[0] as [string, string]
    return `${module}|${id}`
  })

export interface SlsSource {
  readonly source: (handle: string) => string
  /** How many states a typed builder writes. */
  readonly builders: number
  /** The functions called: the builders' names, and `state` when some state has none. */
  readonly calls: readonly string[]
}

/** The `export const <handle> = sls(...)` source of SLS `name` with `states` (in Salt's order). */
export function slsSource(name: string, states: readonly LowState[]): SlsSource {
  const keyOf = (s: LowState) => `${s.module}|${s.id}`
  // a variable for each state another one names, and for the first state of an ID several states share
  const named = new Set(
    states.flatMap((s) => Object.entries(s.args).flatMap(([k, v]) => (REQUISITE.test(k) ? targets(v) : []))),
  )
  const vars = new Map<string, string>()
  const firstOfId = new Map<string, string>()
  const ids = states.map((s) => s.id)
  for (const [i, s] of states.entries()) {
    const shared = ids.indexOf(s.id) !== i || ids.lastIndexOf(s.id) !== i
    if (named.has(keyOf(s)) || (shared && !firstOfId.has(s.id))) vars.set(keyOf(s), `s${i}`)
    if (shared && !firstOfId.has(s.id)) firstOfId.set(s.id, `s${i}`)
  }
  const calls = new Set<string>()
  let builders = 0
  const lines = states.map((s) => {
    const plain = Object.fromEntries(Object.entries(s.args).filter(([k]) => !REQUISITE.test(k)))
    const reqs = Object.entries(s.args)
      .filter(([k]) => REQUISITE.test(k))
      .map(([k, v]) => {
        // `_in` names a state declared further down: a thunk, called once every state is declared
        const refs = targets(v).map((t) => (k.endsWith('_in') ? `() => ${vars.get(t)}` : vars.get(t)))
        return `${k}: [${refs.join(', ')}]`
      })
    const host = firstOfId.get(s.id)
    const joins = host !== undefined && host !== vars.get(keyOf(s))
    const idText = joins ? host : JSON.stringify(s.id)
    const b = builderCall(s.module, s.fun, s.id, plain)
    let call: string
    if (b !== undefined) {
      builders++
      calls.add(b.builder)
      const options = [
        ...(b.needsId || joins ? [`id: ${idText}`] : []),
        ...(b.ensure === undefined ? [] : [`ensure: '${b.ensure}'`]),
        ...b.rest.map(([k, v]) => `${tsKey(k)}: ${tsLiteral(v, '    ')}`),
        ...reqs,
      ]
      const body = options.length === 0 ? '' : `, {${options.map((o) => `\n    ${o},`).join('')}\n  }`
      call = `${b.builder}(${tsLiteral(b.first, '  ')}${body})`
    } else {
      calls.add('state')
      const options = [
        `id: ${idText}`,
        ...Object.entries(plain).map(([k, v]) => `${tsKey(k)}: ${tsLiteral(v, '    ')}`),
        ...reqs,
      ]
      call = `state('${s.module}.${s.fun}', {${options.map((o) => `\n    ${o},`).join('')}\n  })`
    }
    const v = vars.get(keyOf(s))
    return v === undefined ? `  ${call}` : `  const ${v} = ${call}`
  })
  return {
    source: (handle) =>
      `export const ${handle} = sls(${JSON.stringify(name)}, () => {\n${lines.join('\n')}\n})`,
    builders,
    calls: [...calls].sort(),
  }
}
