// A state's ID: a literal, a template Salt renders (pillar, grains, a loop's item), or another state's ID.

import { exprOf } from './expr.ts'
import { exprLabel, openLoops } from './for-each.ts'
import { HANDLE } from './handle.ts'
import type { Expr, LoopNode, Origin, StateNode } from './ir.ts'
import type { Session } from './session.ts'

/** What an ID option or a name prints as a state ID: a literal as it is, a template as its label. */
export function stateIdText(value: unknown): string {
  if (typeof value === 'string') return value
  const handle = handleNode(value)
  if (handle !== undefined) return handle.id
  const expr = exprOf(value)
  if (expr === undefined) return String(value)
  const label = exprLabel(expr)
  // a builder passes the label on as the state's ID: declareState reads the template back from here
  lastTemplate = { label, expr }
  return label
}

let lastTemplate: { readonly label: string; readonly expr: Expr } | undefined

function handleNode(value: unknown): StateNode | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const node = (value as { [HANDLE]?: StateNode })[HANDLE]
  return node !== null && typeof node === 'object' && node.kind === 'state' ? node : undefined
}

/** The state each joining state joins, by its node. */
const HOSTS = new WeakMap<object, StateNode>()

/** Records that `node` joins `host`'s ID. */
export function rememberHost(node: object, host: StateNode): void {
  HOSTS.set(node, host)
}

/** The ID a state is recorded with. */
export interface StateIdOf {
  readonly id: string
  readonly idExpr?: Expr
  readonly joins?: number
  /** The state whose ID this one joins (its key can change while watch mode replays records). */
  readonly host?: StateNode
  readonly loops?: readonly LoopNode[]
  /** The ID is the `name` lookup itself (the `name` argument is then Salt's default, the ID). */
  readonly fromName: boolean
}

/** The ID of a state about to be recorded, from its `id` option, else its `name`. */
export function stateIdOf(
  spec: {
    readonly id: unknown
    readonly args: Readonly<Record<string, unknown>>
    readonly options: { readonly id?: unknown }
    readonly origin: Origin
  },
  s: Session,
): StateIdOf {
  const loops = openLoops(s)
  const raw = spec.options.id ?? spec.id
  const joined = handleNode(raw)
  if (joined !== undefined) {
    // a state joining one that joins another joins that one
    const host = HOSTS.get(joined) ?? joined
    return {
      id: host.id,
      ...(host.idExpr === undefined ? {} : { idExpr: host.idExpr }),
      joins: host.key,
      host,
      ...(loops === undefined ? {} : { loops }),
      fromName: false,
    }
  }
  const fromName = spec.options.id === undefined && exprOf(spec.args.name) !== undefined
  const template =
    typeof spec.id === 'string' && lastTemplate?.label === spec.id ? lastTemplate.expr : undefined
  lastTemplate = undefined
  const expr = exprOf(spec.options.id) ?? (fromName ? exprOf(spec.args.name) : (exprOf(spec.id) ?? template))
  if (expr === undefined)
    return { id: stateIdText(raw), ...(loops === undefined ? {} : { loops }), fromName: false }
  return { id: exprLabel(expr), idExpr: expr, ...(loops === undefined ? {} : { loops }), fromName }
}
