/**
 * The IR: plain, frozen data recorded by the builders and read by the compiler.
 * Nothing here knows about YAML, Jinja or the builders that made it.
 */

/** Where user code called a builder (positions in the bundle until the load stage maps them). */
export interface Origin {
  readonly file: string
  readonly line: number
  readonly column: number
}

export type Scalar = string | number | boolean | null

/** Brands an expression node, so no user map can be mistaken for one. */
export const EXPR: unique symbol = Symbol.for('salt-dsl.expr') as never

/** A value Salt computes when it renders the SLS (compiled to Jinja). */
export type Expr = { readonly [EXPR]: true } & (
  | { readonly kind: 'pillar'; readonly path: readonly string[] }
  | { readonly kind: 'grain'; readonly path: readonly string[] }
  | { readonly kind: 'concat'; readonly parts: readonly (string | Expr)[] }
)

export function isExpr(value: unknown): value is Expr {
  return value !== null && typeof value === 'object' && EXPR in value
}

/** A condition Salt evaluates when it renders the SLS (compiled to a Jinja `if`). */
export type Cond =
  | { readonly kind: 'truthy'; readonly expr: Expr }
  | { readonly kind: 'eq'; readonly expr: Expr; readonly value: Scalar }
  | { readonly kind: 'in'; readonly expr: Expr; readonly values: readonly Scalar[] }
  | { readonly kind: 'not'; readonly cond: Cond }
  | { readonly kind: 'and' | 'or'; readonly conds: readonly Cond[] }

export type Value = Scalar | Expr | readonly Value[] | { readonly [key: string]: Value }

export const REQUISITES = ['require', 'watch', 'onchanges', 'onfail', 'prereq', 'listen', 'use'] as const
export const ANY_REQUISITES = ['require', 'watch', 'onchanges', 'onfail'] as const
export type RequisiteBase = (typeof REQUISITES)[number]
export type RequisiteKind = RequisiteBase | `${RequisiteBase}_in` | `${(typeof ANY_REQUISITES)[number]}_any`

/** Every requisite keyword, in the order they are emitted. */
export const REQUISITE_KINDS: readonly RequisiteKind[] = [
  ...REQUISITES,
  ...ANY_REQUISITES.map((r) => `${r}_any` as const),
  ...REQUISITES.map((r) => `${r}_in` as const),
]

export interface Requisite {
  readonly kind: RequisiteKind
  /** The `key` of the target state. */
  readonly target: number
  readonly origin: Origin
}

export interface StateNode {
  readonly kind: 'state'
  /** Unique in a program, in declaration order. */
  readonly key: number
  readonly id: string
  readonly module: string
  readonly fun: string
  /** Arguments in emission order (without requisites). */
  readonly args: readonly (readonly [string, Value])[]
  readonly requisites: readonly Requisite[]
  readonly sls: string
  /** Conditions (outermost first) under which the state exists. */
  readonly when: readonly Cond[]
  readonly origin: Origin
  /** Set for extension modules the catalog of the pinned Salt does not know. */
  readonly unchecked?: true
}

export interface SlsNode {
  readonly kind: 'sls'
  readonly name: string
  readonly doc: string | undefined
  readonly includes: readonly string[]
  readonly origin: Origin
}

export type Target =
  | { readonly match: 'glob'; readonly pattern: string }
  | { readonly match: 'grain'; readonly grain: string; readonly value: string }
  | { readonly match: 'compound'; readonly expression: string }

export interface TopEntry {
  readonly kind: 'top'
  readonly target: Target
  readonly sls: readonly string[]
  readonly origin: Origin
}

/** A problem a builder noticed while user code ran (reported by the load stage). */
export interface BuilderIssue {
  readonly kind: 'issue'
  readonly code: string
  readonly message: string
  readonly hint?: string
  readonly origin: Origin
}

/** A file from the user's config tree that the emitted tree must carry (`salt://<path>`). */
export interface Asset {
  readonly kind: 'asset'
  /** Relative to the config root, `/`-separated; also its path under out/salt/. */
  readonly path: string
  readonly origin: Origin
}

export interface Program {
  readonly states: readonly StateNode[]
  readonly assets: readonly Asset[]
  readonly sls: readonly SlsNode[]
  readonly top: readonly TopEntry[]
  readonly issues: readonly BuilderIssue[]
}
