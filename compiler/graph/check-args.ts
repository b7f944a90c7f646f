import { checkStateArgs } from '../../dsl/catalog/index.ts'
import type { StateNode, Value } from '../../dsl/ir.ts'
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
  const found = checkStateArgs(fn, names, state.extra).map((issue) =>
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
  if (rule === undefined) return []
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
