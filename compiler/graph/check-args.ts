import { checkStateArgs } from '../../dsl/catalog/index.ts'
import { isExpr, type StateNode, type Value } from '../../dsl/ir.ts'
import { NEEDS_GUARD, STATE_RULES } from '../../dsl/schemas.ts'
import { type Diagnostic, error, warning } from '../diagnostics.ts'

const CATALOG_CODES = {
  'unknown-function': 'DSL3004',
  'missing-arg': 'DSL3005',
  'unknown-arg': 'DSL3006',
} as const

/**
 * Checks one state against what the pinned Salt accepts (function names, required and known arguments)
 * and against its builder's schema (value shapes the types promise).
 */
export function checkArgs(state: StateNode): readonly Diagnostic[] {
  const fn = `${state.module}.${state.fun}`
  if (state.unchecked) return NO_DIAGNOSTICS
  const names = ['name', ...Object.keys(state.args)]
  const issues = checkStateArgs(fn, names, state.extra)
  // an extend entry adds to a state that has its required arguments already
  const own = state.extends === undefined ? issues : issues.filter((i) => i.code !== 'missing-arg')
  const found = own.map((issue) =>
    error(
      CATALOG_CODES[issue.code],
      `${issue.message} ('${state.id}')`,
      state.origin,
      issue.hint ? { hint: issue.hint } : {},
    ),
  )
  if (found.some((d) => d.code === 'DSL3004')) return found
  const all = [...found, ...checkSchema(fn, state), ...checkGuard(fn, state)]
  // most states have none: they share one empty list (the watch keeps one per state)
  return all.length === 0 ? NO_DIAGNOSTICS : all
}

const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([])

function checkSchema(fn: string, state: StateNode): Diagnostic[] {
  const rule = STATE_RULES[fn]
  // an extend entry adds to a checked state; with `names`, each of them is the name in turn
  if (rule === undefined || state.extends !== undefined) return []
  const names = state.args.names
  if (Array.isArray(names) && state.args.name === undefined)
    return names.flatMap((n) =>
      isExpr(n) ? [] : checkSchema(fn, { ...state, id: nameOf(n), args: withoutNames(state.args) }),
    )
  const args: Record<string, Value> = { name: state.id, ...state.args }
  // the allocation-free predicate first; zod only for what it does not accept (and for the messages)
  if (rule.ok(args)) return []
  const result = rule.zod.safeParse(args)
  if (result.success) return []
  return result.error.issues.flatMap((issue) => {
    const key = issue.path[0]
    if (typeof key === 'string' && !(key in args)) return [] // a missing argument: the catalog reports it
    const at = issue.path.length > 0 ? `argument '${issue.path.join('.')}'` : 'the arguments'
    const got = valueAt(args, issue.path)
    const message = issue.code === 'invalid_union' ? `has the wrong type (${describe(got)})` : issue.message
    return [error('DSL3003', `${at} of ${fn} '${state.id}' ${message}`, state.origin)]
  })
}

/** A `names` entry's name: the string, or the key of a `{name: [args]}` entry. */
function nameOf(entry: Value): string {
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) return Object.keys(entry)[0] ?? ''
  return String(entry)
}

function withoutNames(args: StateNode['args']): StateNode['args'] {
  const { names: _, ...rest } = args
  return rest
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined
  return v
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'got a list'
  if (v === null) return 'got null'
  return `got ${typeof v} ${JSON.stringify(v)?.slice(0, 40) ?? ''}`.trimEnd()
}

/** A warning for a command that runs, and reports a change, on every apply. */
function checkGuard(fn: string, state: StateNode): Diagnostic[] {
  const guards = NEEDS_GUARD[fn]
  if (guards === undefined) return []
  const has = (key: string) => Object.hasOwn(state.args, key) || state.requisites.some((r) => r.kind === key)
  if (guards.some(has)) return []
  const message = `${fn} '${state.id}' runs on every apply: test=True cannot predict it and re-applies never converge`
  return [
    warning('DSL3010', message, state.origin, {
      hint: `guard it with ${guards.slice(0, 3).join(', ')} or onchanges`,
    }),
  ]
}
