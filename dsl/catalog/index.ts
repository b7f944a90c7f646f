// The catalog of Salt state functions (generated from the pinned Salt by scripts/gen-salt-catalog.py):
// look-ups, "did you mean" suggestions, and the argument checks Salt itself only makes at apply time.
import { closest, threshold } from '../suggest.ts'
import catalogJson from './salt-states.json' with { type: 'json' }

export type { Arg, Dict, List, PassesOn } from './arg-types.ts'
export type {
  SaltGlobalStateArgs,
  SaltModuleFunctions,
  SaltStateArgs,
  SaltStateFunction,
} from './salt-states.ts'

/** One state function, as the pinned Salt defines it. */
export interface CatalogEntry {
  /** `module.function`, e.g. `pkg.installed`. */
  readonly name: string
  readonly module: string
  readonly function: string
  /** Parameter names in declaration order (`name` included when the function takes it). */
  readonly params: readonly string[]
  /** Parameters without a default; never `name` (Salt fills it from the state ID). */
  readonly required: readonly string[]
  /**
   * Whether the function takes `**kwargs`. It passes what it does not name on (to the execution module it
   * calls, which ignores what it does not know), so a misspelled argument is silently lost: only the
   * parameters, the `documented` arguments and those given through `extra` are accepted.
   */
  readonly kwargs: boolean
  /**
   * Keyword arguments the function takes as its own beyond its signature: documented in its docstring, or
   * read from its `**kwargs` by its own code (file.directory's `mode`).
   */
  readonly documented: readonly string[]
  /** Whether any `module.function` key is an argument (module.run: the execution functions to call). */
  readonly dottedKwargs: boolean
  /** Whether any argument is taken and ignored by design (test.nop). */
  readonly anyKwargs: boolean
  /** The docstring's first sentence ('' when Salt has none). */
  readonly doc: string
  /** Salt source files the entry was merged from, when more than one defines it (platform variants). */
  readonly mergedFrom?: readonly string[]
}

export interface StateArgIssue {
  readonly code: 'unknown-function' | 'missing-arg' | 'unknown-arg'
  readonly message: string
  readonly hint?: string
}

interface RawEntry {
  readonly doc: string
  readonly kwargs: boolean
  readonly params: readonly string[]
  readonly required: readonly string[]
  readonly documented?: readonly string[]
  readonly dotted_kwargs?: boolean
  readonly any_kwargs?: boolean
  readonly merged_from?: readonly string[]
}

interface RawCatalog {
  readonly functions: Readonly<Record<string, RawEntry>>
  readonly global_args: readonly string[]
  readonly salt_version: string
}

const raw = catalogJson as unknown as RawCatalog

/** The Salt release the catalog was generated from. */
export const CATALOG_SALT_VERSION: string = raw.salt_version

/**
 * Arguments every state accepts whatever its function: requisites (`require`, `watch_in`, `onchanges_any`,
 * ...), run-time options (`onlyif`, `unless`, `retry`, `order`, `runas`, ...) and Salt's internal keys;
 * taken from salt/state.py's STATE_INTERNAL_KEYWORDS, plus `names`.
 */
export const GLOBAL_STATE_ARGS: ReadonlySet<string> = new Set(raw.global_args)

const NO_NAMES: readonly string[] = Object.freeze([])
const entries = new Map<string, CatalogEntry>()
const byModule = new Map<string, string[]>()
for (const [name, e] of Object.entries(raw.functions)) {
  const dot = name.indexOf('.')
  const module = name.slice(0, dot)
  const entry: CatalogEntry = {
    name,
    module,
    function: name.slice(dot + 1),
    params: e.params,
    required: e.required,
    kwargs: e.kwargs,
    documented: e.documented ?? NO_NAMES,
    dottedKwargs: e.dotted_kwargs === true,
    anyKwargs: e.any_kwargs === true,
    doc: e.doc,
    ...(e.merged_from ? { mergedFrom: e.merged_from } : {}),
  }
  entries.set(name, entry)
  const fns = byModule.get(module)
  if (fns) fns.push(entry.function)
  else byModule.set(module, [entry.function])
}

/** Every known `module.function`, sorted. */
export function stateFunctionNames(): readonly string[] {
  return [...entries.keys()]
}

/** Every known state module name (`pkg`, `file`, ...), sorted. */
export function stateModuleNames(): readonly string[] {
  return [...byModule.keys()]
}

export function lookupStateFunction(name: string): CatalogEntry | undefined {
  return entries.get(name)
}

/**
 * The known `module.function` closest to a misspelled one (`pkg.instaled` → `pkg.installed`), or
 * `undefined` when nothing is close. When the module exists only its functions are candidates (so
 * `file.installed` suggests nothing rather than `pip.installed`); otherwise the whole name is compared,
 * allowing as many edits as a typo of the function part would (`pkgs.installed` → `pkg.installed`).
 */
export function suggestStateFunction(name: string): string | undefined {
  const wanted = name.trim().toLowerCase()
  if (entries.has(wanted)) return wanted
  const dot = wanted.indexOf('.')
  const fns = dot > 0 ? byModule.get(wanted.slice(0, dot)) : undefined
  if (fns) {
    const fn = closest(wanted.slice(dot + 1), fns)
    return fn && `${wanted.slice(0, dot)}.${fn}`
  }
  return closest(wanted, entries.keys(), threshold(wanted.length - dot - 1))
}

/** The closest argument name the function accepts (its own or a global one), for "did you mean". */
function suggestArg(entry: CatalogEntry, arg: string): string | undefined {
  const wanted = arg.toLowerCase()
  return closest(wanted, [...entry.params, ...entry.documented]) ?? closest(wanted, GLOBAL_STATE_ARGS)
}

/**
 * The mistakes Salt would report when applying `name` with these argument names (an unknown function, a
 * required argument left out, an argument a function without `**kwargs` does not take), and the ones it
 * would not: an argument a `**kwargs` function neither names nor documents is passed on and silently
 * ignored, so it is reported too unless it was given through `extra` (the names in `extra`). Global state
 * arguments (requisites, `onlyif`, `order`, `names`, ...) are always accepted. Empty when the call is fine.
 */
export function checkStateArgs(
  name: string,
  argNames: readonly string[],
  extra: readonly string[] = NO_NAMES,
): readonly StateArgIssue[] {
  const entry = entries.get(name)
  if (!entry) {
    const suggestion = suggestStateFunction(name)
    return [
      {
        code: 'unknown-function',
        message: name.includes('.')
          ? `'${name}' is not a state function of Salt ${CATALOG_SALT_VERSION}`
          : `'${name}' is not a state function name: expected 'module.function'`,
        ...(suggestion ? { hint: `did you mean '${suggestion}'?` } : {}),
      },
    ]
  }
  // a state has a handful of arguments: plain lists, no sets (this runs for every state of a build)
  let issues: StateArgIssue[] | undefined
  for (const required of entry.required) {
    if (!argNames.includes(required)) {
      issues ??= []
      issues.push({
        code: 'missing-arg',
        message: `'${name}' requires the argument '${required}'`,
        hint: `add '${required}' to the state's arguments`,
      })
    }
  }
  const own = paramSet(name, entry)
  for (let i = 0; i < argNames.length; i++) {
    const arg = argNames[i]!
    // `name` is always passed (from the state ID), whether or not the function names it
    if (arg === 'name' || own.has(arg) || GLOBAL_STATE_ARGS.has(arg) || argNames.indexOf(arg) !== i) continue
    if (entry.kwargs && (entry.anyKwargs || extra.includes(arg) || (entry.dottedKwargs && arg.includes('.'))))
      continue
    issues ??= []
    issues.push(unknownArg(name, entry, arg))
  }
  return issues ?? NO_ISSUES
}

function unknownArg(name: string, entry: CatalogEntry, arg: string): StateArgIssue {
  const suggestion = suggestArg(entry, arg)
  if (!entry.kwargs) {
    return {
      code: 'unknown-arg',
      message: `'${arg}' is an invalid keyword argument for '${name}'`,
      hint: suggestion
        ? `did you mean '${suggestion}'?`
        : `'${name}' takes: ${entry.params.filter((p) => p !== 'name').join(', ') || 'only name'}`,
    }
  }
  const passOn = `to pass it on to the execution module as it is, give it in \`extra: { ${arg}: ... }\``
  return {
    code: 'unknown-arg',
    message: `'${arg}' is not an argument of '${name}' (Salt would pass it on, and it would be ignored)`,
    hint: suggestion ? `did you mean '${suggestion}'? (${passOn})` : passOn,
  }
}

const NO_ISSUES: readonly StateArgIssue[] = Object.freeze([])
const paramSets = new Map<string, ReadonlySet<string>>()

/** The argument names a function takes by name (parameters and documented ones), made once per function. */
function paramSet(name: string, entry: CatalogEntry): ReadonlySet<string> {
  let set = paramSets.get(name)
  if (set === undefined) {
    set = new Set([...entry.params, ...entry.documented])
    paramSets.set(name, set)
  }
  return set
}
