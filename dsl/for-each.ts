// Render-time loops: a Jinja `for` over a list or map Salt reads (pillar, grains, or an enclosing loop's item).
import { type Accessor, exprOf, type Lookup } from './expr.ts'
import { EXPR, type Expr, type LoopNode } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue, type Session, session } from './session.ts'

/** The accessor marker of expr.ts (a `Symbol.for`, so both agree). */
const ACCESSOR = Symbol.for('salt-dsl.accessor')

/** The loops open in each session, innermost last. */
const OPEN = new WeakMap<Session, LoopNode[]>()
/** The JSON Schema of each open loop's elements (where the pillar schema gives it). */
const ELEMENTS = new WeakMap<LoopNode, unknown>()

type Schema = { readonly [key: string]: unknown }
const isSchema = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The schema at `path` under `root` (object properties, a record's values). */
function schemaAt(root: unknown, path: readonly string[]): Schema | undefined {
  let node = root
  for (const key of path) {
    if (!isSchema(node)) return undefined
    const props = node.properties
    node = isSchema(props) && isSchema(props[key]) ? props[key] : node.additionalProperties
  }
  return isSchema(node) ? node : undefined
}

/** Whether the source is a list (and its elements' schema), by the pillar schema or the enclosing loop's. */
function sourceShape(s: Session, stack: readonly LoopNode[], e: Expr): { list?: boolean; element?: unknown } {
  const at =
    e.kind === 'pillar'
      ? schemaAt(s.pillar.schema?.jsonSchema, e.path)
      : e.kind === 'item' && !e.key && stack[e.depth] !== undefined
        ? schemaAt(ELEMENTS.get(stack[e.depth]!), e.path)
        : undefined
  if (at?.type === 'array') return { list: true, element: at.items }
  if (at?.type === 'object' && isSchema(at.additionalProperties))
    return { list: false, element: at.additionalProperties }
  return {}
}

/** The loops enclosing a state declared now (undefined outside every loop). */
export function openLoops(s: Session): readonly LoopNode[] | undefined {
  const stack = OPEN.get(s)
  return stack === undefined || stack.length === 0 ? undefined : snapshot(stack)
}

let last: readonly LoopNode[] | undefined
function snapshot(stack: readonly LoopNode[]): readonly LoopNode[] {
  if (last && last.length === stack.length && last.every((l, i) => l === stack[i])) return last
  last = Object.freeze([...stack])
  return last
}

/** What an element's accessor prints where it is named (diagnostics, the manifest's ID label). */
export function exprLabel(e: Expr): string {
  switch (e.kind) {
    case 'pillar':
      return `pillar.${e.path.join('.')}`
    case 'grain':
      return `grains.${e.path.join('.')}`
    case 'item':
      return e.path.length === 0 ? e.label : `${e.label}.${e.path.join('.')}`
    case 'concat':
      return e.parts.map((p) => (typeof p === 'string' ? p : `\${${exprLabel(p)}}`)).join('')
    default:
      return e.kind
  }
}

function itemAccessor(depth: number, key: boolean, label: string, path: readonly string[]): unknown {
  const expr: Expr = Object.freeze({
    [EXPR]: true as const,
    kind: 'item' as const,
    depth,
    key,
    path: Object.freeze([...path]),
    label,
  })
  return new Proxy(Object.freeze({}), {
    get(_target, prop) {
      if (prop === ACCESSOR) return expr
      if (typeof prop === 'symbol' || prop === 'then') return undefined
      // the key is a string (a map's key) or a number (a list's index): it has no fields
      if (key) return undefined
      return itemAccessor(depth, false, label, [...path, prop])
    },
  })
}

type ElementOf<T> = T extends readonly (infer E)[]
  ? E
  : T extends { readonly [key: string]: infer E }
    ? E
    : never
type KeyOf<T> = T extends readonly unknown[] ? number : string

/**
 * Declares the states of `body` once per element of a list or map Salt reads when it renders the SLS (a
 * Jinja `for` over `salt['pillar.get'](...)`), so each machine gets the states of its own data. `item` is
 * typed from the pillar schema (`u.shell` is a lookup of the element's `shell`); `key` is the map's key
 * (a list's index). IDs and names built from them (`text`) are rendered per element; requisites between
 * the body's states bind to the same element's states.
 * @example
 * forEach(pillar.users, (u, name) => {
 *   const g = group(name, { id: text`${name}_user` })
 *   user(name, { id: g, shell: u.shell, require: [g] })
 * })
 * // {% for dsl_k0 in ... salt['pillar.get']("users") ... %}
 * // {{ dsl_yaml((dsl_k0 | string) ~ "_user") }}:
 * //   group.present: ...
 * //   user.present: ...
 */
export function forEach<T>(
  source: Lookup<T> | Accessor<T>,
  body: (item: Accessor<ElementOf<NonNullable<T>>>, key: Lookup<KeyOf<NonNullable<T>>> & string) => void,
): void {
  const origin = callSite(forEach)
  const s = session()
  const expr = exprOf(source)
  if (expr === undefined) {
    const hint =
      'loop over a pillar or grains lookup, e.g. forEach(pillar.users, (u, name) => ...); a TypeScript array is looped over with for...of'
    addIssue('DSL1060', 'forEach() expects a pillar, grains or loop-item lookup', origin, hint)
    return
  }
  let stack = OPEN.get(s)
  if (stack === undefined) {
    stack = []
    OPEN.set(s, stack)
  }
  const depth = stack.length
  const shape = sourceShape(s, stack, expr)
  const loop: LoopNode = Object.freeze({
    kind: 'loop',
    depth,
    source: expr,
    at: s.when.length,
    origin,
    ...(shape.list === undefined ? {} : { list: shape.list }),
  })
  if (shape.element !== undefined) ELEMENTS.set(loop, shape.element)
  const label = `${exprLabel(expr)}[*]`
  stack.push(loop)
  try {
    body(
      itemAccessor(depth, false, label, []) as never,
      itemAccessor(depth, true, `${label}.key`, []) as never,
    )
  } finally {
    stack.pop()
  }
}
