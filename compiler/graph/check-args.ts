import type { StateNode, Value } from '../../dsl/ir.ts'
import { STATE_SCHEMAS } from '../../dsl/schemas.ts'
import { type Diagnostic, error } from '../diagnostics.ts'

/** Checks one state's arguments against its function's schema. */
export function checkArgs(state: StateNode): Diagnostic[] {
  const fn = `${state.module}.${state.fun}`
  const schema = STATE_SCHEMAS[fn]
  if (schema === undefined) return []
  const args: Record<string, Value> = { name: state.id }
  for (const [key, value] of state.args) args[key] = value
  const result = schema.safeParse(args)
  if (result.success) return []
  return result.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? `argument '${issue.path.join('.')}'` : 'the arguments'
    return error('DSL3003', `${at} of ${fn} '${state.id}' ${issue.message}`, state.origin)
  })
}
