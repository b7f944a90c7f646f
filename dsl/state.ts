import { oneByName } from './by-name.ts'
import type {
  SALT_VERSION,
  SaltGlobalStateArgs,
  SaltModuleFunctions,
  SaltStateArgs,
  SaltStateFunction,
} from './catalog/salt-states.ts'
import { choiceOf, functionPart } from './choose-function.ts'
import { exprOf } from './expr.ts'
import { withModeText } from './file-mode.ts'
import { HANDLE, type Ref, type StateHandle } from './handle.ts'
import { isIfDefined } from './if-defined.ts'
import { type Cond, type Origin, REQUISITE_KINDS, type RequisiteKind, type Value } from './ir.ts'
import { callSite } from './origin.ts'
import { guardSecretArgs, refuseSecretId } from './secret.ts'
import { addIssue, NO_REQUISITES, type RequisiteDraft, type StateDraft, session } from './session.ts'
import { rememberHost, stateIdOf, stateIdText } from './state-id.ts'
import { toValue } from './values.ts'
import { UNICODE_HINT, wellFormed } from './well-formed.ts'

/** Requisites, each taking handles (or thunks for states declared later), never strings. */
export type Requisites = { readonly [K in RequisiteKind]?: Ref | readonly Ref[] }

/** Options every state accepts. */
export interface CommonOptions extends Requisites {
  /**
   * The state ID; defaults to the state's name. Unique across the highstate. A `text` template or lookup
   * is rendered by Salt; another state's handle puts this state under that one's ID (one ID, several
   * modules: `service('tomcat', { id: tomcatPkg })`).
   */
  readonly id?: string | StateHandle
  /** Salt's `order`: a number, `'first'` or `'last'`. */
  readonly order?: number | 'first' | 'last'
  /** Stop the whole run when this state fails. */
  readonly failhard?: boolean
}

/** A state about to be recorded: module, function, ID and arguments (already in emission order). */
export interface StateSpec {
  readonly module: string
  readonly fun: string
  readonly id: string
  readonly args: Readonly<Record<string, unknown>>
  readonly options: CommonOptions
  readonly origin: Origin
  /** Not a function of the pinned Salt (an extension module): skip the catalog check. */
  readonly unchecked?: boolean
  /** The arguments given through `extra` (keyword arguments the function passes on). */
  readonly extra?: readonly string[]
  /**
   * The author's order of arguments, `order`, `failhard` and requisite kinds (`state()`): emitted in that
   * order, a `name` equal to an explicit `id` included. Builders leave it out: `name` first, then their
   * arguments, `order`, `failhard`, and the requisites in REQUISITE_KINDS order.
   */
  readonly layout?: readonly string[]
}

/** Salt's arguments every state function accepts (beyond requisites, `order` and `failhard`). */
export type GlobalArgs = Partial<
  Pick<
    SaltGlobalStateArgs,
    | 'unless'
    | 'onlyif'
    | 'creates'
    | 'check_cmd'
    | 'retry'
    | 'reload_modules'
    | 'reload_pillar'
    | 'reload_grains'
    | 'parallel'
    | 'fire_event'
    | 'names'
    | 'runas'
    | 'umask'
    | 'no_log'
    | 'saltenv'
    | 'runas_password'
    | 'onfail_stop'
  >
>

/**
 * What `state(fn, args)` takes: the function's own arguments (with `extra` when it takes `**kwargs`),
 * Salt's global ones and the requisites.
 */
export type StateArgs<F extends SaltStateFunction> = SaltStateArgs[F] & GlobalArgs & CommonOptions

/**
 * The type TypeScript prints for a name that is not a state function of the pinned Salt, as the parameter
 * it cannot be assigned to: `'pkg.instaled' is not a state function of Salt 3008.4; did you mean
 * 'pkg.installed'?` (the one function of the module starting alike), else the module's functions.
 */
export type NotAStateFunction<F extends string> = F extends `${infer M}.${infer Fn}`
  ? M extends keyof SaltModuleFunctions
    ? `'${F}' is not a state function of Salt ${typeof SALT_VERSION}; ${Likely<M, Fn, SaltModuleFunctions[M]>}`
    : `'${F}' is not a state function of Salt ${typeof SALT_VERSION}: it has no state module '${M}'`
  : `'${F}' is not a state function name: expected 'module.function'`

/** `did you mean 'pkg.installed'?` when one function of the module starts as `Fn` does, else the list. */
type Likely<M extends string, Fn extends string, All extends string> =
  Alike<M, Fn> extends infer U extends string
    ? [U] extends [never]
      ? `${M} has: ${All}`
      : [U] extends [OneOf<U>]
        ? `did you mean '${U}'?`
        : `${M} has: ${All}`
    : never

type Alike<M extends string, Fn extends string> = Fn extends `${infer A}${infer B}${infer C}${string}`
  ? Extract<SaltStateFunction, `${M}.${A}${B}${C}${string}`>
  : never

/** `U` itself when it is one type, an intersection (`never` for literals) when it is a union. */
type OneOf<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

const OPTION_KEYS = new Set<string>(['id', 'order', 'failhard', ...REQUISITE_KINDS])

/** The key order of the options a builder's `common` came from (splitOptions), for its requisites' places. */
const WRITTEN = new WeakMap<object, readonly string[]>()

/** Splits user options into requisites, Salt's global arguments and the builder's own keys. */
export function splitOptions<T extends CommonOptions>(
  options: T,
): { own: Omit<T, keyof CommonOptions>; common: CommonOptions } {
  const own: Record<string, unknown> = {}
  const common: Record<string, unknown> = {}
  const keys = Object.keys(options)
  // requisites written before an argument, or out of REQUISITE_KINDS order: their places are kept
  let rank = -1
  let moved = false
  for (const key of keys) {
    const r = KIND_RANK.get(key)
    if (r !== undefined) {
      moved ||= r < rank
      rank = r
    } else if (rank >= 0 && !OPTION_KEYS.has(key)) moved = true
    const into = OPTION_KEYS.has(key) ? common : own
    const value = options[key as keyof T]
    // an assignment to `__proto__` would set the prototype: that argument is defined like any other key
    if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true })
    else into[key] = value
  }
  if (moved) WRITTEN.set(common, keys)
  return { own: own as Omit<T, keyof CommonOptions>, common: common as CommonOptions }
}

/** Records one state in the current SLS and returns its handle. */
export function declareState<M extends string>(spec: StateSpec & { readonly module: M }): StateHandle<M> {
  const s = session()
  const sls = s.current
  if (sls === undefined) {
    addIssue(
      'DSL1002',
      `state '${spec.id}' is declared outside of sls()`,
      spec.origin,
      "wrap it in sls('name', () => { ... })",
    )
  }
  refuseSecretId(spec.options.id ?? spec.id, spec.args.name, spec.origin)
  const named = stateIdOf(spec, s)
  if (!wellFormed(named.id) || !wellFormed(spec.module) || !wellFormed(spec.fun)) {
    const what = `the ID or function of a ${spec.module}.${spec.fun} state`
    addIssue('DSL1050', `${what} is not valid Unicode (it holds a lone surrogate)`, spec.origin, UNICODE_HINT)
  }
  const key = s.states.length
  // one object per state (not a list of pairs): a third of the IR's memory at 100k states
  const args: Record<string, Value> = {}
  // the message's place is built only if a value is reported (synchronously, so `current` is right)
  let current = ''
  let optional: string[] | undefined
  const where = () => `argument '${current}' of '${spec.id}'`
  const put = (name: string, raw: unknown) => {
    current = name
    if (!wellFormed(name)) {
      const message = `an argument name of '${spec.id}' is not valid Unicode (it holds a lone surrogate)`
      addIssue('DSL1050', message, spec.origin, UNICODE_HINT)
      return
    }
    const value = toValue(raw, spec.origin, where)
    if (value === undefined) return
    if (isIfDefined(raw)) optional = [...(optional ?? []), name]
    if (name === '__proto__') Object.defineProperty(args, name, { value, enumerable: true })
    else args[name] = value
  }
  const keepName = spec.args.name !== undefined && spec.args.name !== spec.id && !named.fromName
  let layout: readonly string[] | undefined
  if (spec.layout === undefined) {
    if (keepName) put('name', spec.args.name)
    for (const name of Object.keys(spec.args)) if (name !== 'name') put(name, spec.args[name])
    put('order', spec.options.order)
    put('failhard', spec.options.failhard)
    // a builder: its requisites where its author wrote them among the options
    const written = WRITTEN.get(spec.options)
    if (written !== undefined) layout = requisiteLayout(builderLayout(written, args), args)
  } else {
    // a name equal to an explicit ID is the author's to write (Salt's render shows it when written)
    const explicit =
      keepName || (spec.args.name !== undefined && spec.options.id !== undefined && !named.fromName)
    for (const key of spec.layout)
      if (key === 'order' || key === 'failhard') put(key, spec.options[key])
      else if (key !== 'name' || explicit) if (Object.hasOwn(spec.args, key)) put(key, spec.args[key])
    layout = requisiteLayout(spec.layout, args)
  }
  guardSecretArgs(spec.module, String(spec.fun), args)
  const node: StateDraft = {
    kind: 'state',
    key,
    id: named.id,
    module: spec.module,
    fun: String(spec.fun),
    args: Object.freeze(args),
    requisites: NO_REQUISITES,
    sls: sls?.name ?? '',
    when: whenSnapshot(s.when),
    origin: spec.origin,
  }
  if (spec.unchecked) node.unchecked = true
  if (spec.extra !== undefined && spec.extra.length > 0) node.extra = Object.freeze([...spec.extra])
  if (named.idExpr !== undefined) node.idExpr = named.idExpr
  if (named.joins !== undefined) {
    // read from the host when the node is frozen or copied: watch mode renumbers the keys it replays
    const host = named.host
    if (host === undefined) node.joins = named.joins
    else {
      Object.defineProperty(node, 'joins', { get: () => host.key, enumerable: true })
      rememberHost(node, host)
    }
  }
  if (named.loops !== undefined) node.loops = named.loops
  if (layout !== undefined) node.layout = layout
  if (optional !== undefined) node.optional = Object.freeze(optional)
  const choice = choiceOf(spec.fun)
  if (choice !== undefined) node.funChoice = choice
  s.states.push(node)
  // one entry per state, none skipped (a dense array)
  s.drafts.push(requisiteDrafts(spec.options, spec.origin))
  return Object.freeze({ [HANDLE]: node, id: named.id, module: spec.module, sls: sls?.name ?? '' })
}

const KIND_RANK = new Map<string, number>(REQUISITE_KINDS.map((k, i) => [k, i]))

/**
 * The layout to keep for a state whose author wrote its requisites among its arguments or in another order
 * than REQUISITE_KINDS (its arguments, as recorded, and its requisite kinds); undefined when the usual
 * order (arguments, then requisites by kind) is the author's.
 */
function requisiteLayout(
  layout: readonly string[],
  args: Readonly<Record<string, unknown>>,
): string[] | undefined {
  const kept = layout.filter((k) => KIND_RANK.has(k) || Object.hasOwn(args, k))
  let rank = -1
  let usual = true
  for (const key of kept) {
    const r = KIND_RANK.get(key)
    if (r === undefined) usual &&= rank < 0
    else {
      usual &&= r > rank
      rank = r
    }
  }
  return usual ? undefined : (Object.freeze(kept) as string[])
}

/**
 * A builder's keys as emitted, with each requisite kind where its author wrote it among the options: after
 * the argument written before it (after `name`, the builder's first argument, when none was). The builder's
 * arguments keep their order (`order` and `failhard` last).
 */
function builderLayout(written: readonly string[], args: Readonly<Record<string, unknown>>): string[] {
  const after = new Map<string, string[]>()
  const given = new Set(written)
  let anchor = ''
  for (const key of written) {
    if (KIND_RANK.has(key)) after.set(anchor, [...(after.get(anchor) ?? []), key])
    else if (Object.hasOwn(args, key) && key !== 'order' && key !== 'failhard') anchor = key
  }
  const out: string[] = []
  // requisites written before any argument: after what the builder writes first of its own (`name`, `pkgs`)
  let lead = after.get('') ?? []
  for (const key of Object.keys(args)) {
    if (given.has(key) || key === 'order' || key === 'failhard') {
      out.push(...lead)
      lead = []
    }
    out.push(key)
    if (key !== 'order' && key !== 'failhard') out.push(...(after.get(key) ?? []))
  }
  out.push(...lead)
  return out
}

/** The requisites among the options, in REQUISITE_KINDS order (the emitted order). */
function requisiteDrafts(options: CommonOptions, origin: Origin): RequisiteDraft[] | undefined {
  let drafts: RequisiteDraft[] | undefined
  for (const kind of REQUISITE_KINDS) {
    const refs: Ref | readonly Ref[] | undefined = options[kind]
    if (refs === undefined) continue
    drafts ??= []
    const list = oneByName(Array.isArray(refs) ? refs : [refs])
    for (const ref of list) drafts.push(Object.freeze({ kind, ref, origin }))
  }
  return drafts
}

let lastWhen: readonly Cond[] | undefined
const NO_CONDITIONS: readonly Cond[] = Object.freeze([])

/** A frozen copy of the current `when()` stack, shared by consecutive states under the same stack. */
function whenSnapshot(stack: readonly Cond[]): readonly Cond[] {
  if (stack.length === 0) return NO_CONDITIONS
  const last = lastWhen
  if (last && last.length === stack.length && last.every((c, i) => c === stack[i])) return last
  lastWhen = Object.freeze([...stack])
  return lastWhen
}

/** The state ID: the explicit `id`, else the name. */
export function stateId(name: unknown, options: CommonOptions): string {
  return stateIdText(options.id ?? name)
}

/**
 * Any Salt state, by its `module.function` name, with the arguments the pinned Salt gives it (typed, with
 * Salt's documentation as hover text). Keyword arguments the function only passes on go in `extra`.
 * @example
 * state('timezone.system', { name: 'Europe/Berlin' })
 * // Europe/Berlin:
 * //   timezone.system: []
 */
// `F extends string`, not the union of names: as cheap to check as a plain `F extends SaltStateFunction`
// (a union constraint made tsc instantiate five times as many types), and the true branch still completes
export function state<const F extends string>(
  fn: F extends SaltStateFunction ? F : NotAStateFunction<F>,
  args: F extends SaltStateFunction ? StateArgs<F> : Readonly<Record<string, unknown>> & CommonOptions,
): StateHandle {
  return genericState(fn, args as Readonly<Record<string, unknown>> & CommonOptions, callSite(state), true)
}

/**
 * A state of a module the pinned Salt does not ship (a Salt extension, or your own `_states/`): untyped,
 * and not checked against the catalog.
 * @example
 * extensionState('docker_container.running', { name: 'web', image: 'nginx:1.27' })
 */
export function extensionState(
  fn: `${string}.${string}`,
  args: Readonly<Record<string, unknown>> & CommonOptions,
): StateHandle {
  return genericState(fn, args, callSite(extensionState), false)
}

function genericState(
  fn: string,
  args: Readonly<Record<string, unknown>> & CommonOptions,
  origin: Origin,
  checked: boolean,
): StateHandle {
  const dot = fn.indexOf('.')
  const { own, common } = splitOptions(args)
  const { extra, ...named } = own as Record<string, unknown>
  const name = named.name
  if (common.id === undefined && typeof name !== 'string' && exprOf(name) === undefined) {
    addIssue('DSL1006', `state('${fn}') needs an \`id\` or a string \`name\``, origin)
  }
  const spec = {
    module: fn.slice(0, dot),
    fun: functionPart(fn, dot),
    id: stateId(name, common),
    args: modes(fn, extra === undefined ? named : withExtra(fn, named, extra, origin)),
    options: common,
    origin,
    ...(extra !== null && typeof extra === 'object' ? { extra: Object.keys(extra) } : {}),
    layout: writtenOrder(args, extra),
  }
  return declareState(checked ? spec : { ...spec, unchecked: true })
}

/** The keys of `state()`'s arguments as written (`extra`'s where `extra` is), without `id`. */
function writtenOrder(args: Readonly<Record<string, unknown>>, extra: unknown): string[] {
  const out: string[] = []
  for (const key of Object.keys(args))
    if (key === 'extra') {
      if (extra !== null && typeof extra === 'object' && !Array.isArray(extra))
        for (const k of Object.keys(extra)) if (!Object.hasOwn(args, k)) out.push(k)
    } else if (key !== 'id') out.push(key)
  return out
}

/** A file state's numeric modes as octal strings (`0o644` → `'0644'`, file-mode.ts). */
const modes = (fn: string, args: Readonly<Record<string, unknown>>) =>
  fn.startsWith('file.') ? withModeText(args) : args

/** The named arguments followed by the `extra` ones; an argument given both ways is reported (DSL1014). */
function withExtra(
  fn: string,
  named: Readonly<Record<string, unknown>>,
  extra: unknown,
  origin: Origin,
): Readonly<Record<string, unknown>> {
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    addIssue('DSL1014', `state('${fn}'): \`extra\` must be an object of keyword arguments`, origin)
    return named
  }
  const all: Record<string, unknown> = { ...named }
  for (const key of Object.keys(extra)) {
    const value = (extra as Record<string, unknown>)[key]
    if (Object.hasOwn(named, key)) {
      const hint = `give '${key}' once: directly when '${fn}' names it, else in \`extra\``
      addIssue('DSL1014', `state('${fn}'): argument '${key}' is given twice`, origin, hint)
    } else if (key === '__proto__')
      Object.defineProperty(all, key, { value, enumerable: true, writable: true })
    else all[key] = value
  }
  return all
}
