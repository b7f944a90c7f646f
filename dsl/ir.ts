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
  | { readonly kind: 'pillar'; readonly path: readonly string[]; readonly default?: Value }
  | { readonly kind: 'grain'; readonly path: readonly string[] }
  | { readonly kind: 'concat'; readonly parts: readonly (string | Expr)[] }
  /** A per-platform value (`byPlatform`): picked by the machine's `os` grain when Salt renders. */
  | { readonly kind: 'platform'; readonly cases: readonly (readonly [platform: string, value: Value])[] }
  /** The rendered value as one shell word (`sh`): quoted by Salt's Jinja `quote` filter, after rendering. */
  | { readonly kind: 'quoted'; readonly expr: Expr }
  /** The element (or its key) of a `forEach` loop, `depth` levels in, at `path` inside it (for-each.ts). */
  | {
      readonly kind: 'item'
      readonly depth: number
      readonly key: boolean
      readonly path: readonly string[]
      readonly label: string
    }
  /** A Jinja filter applied to a value (`lower`, `upper`, `replace`, `join`, `default`): see filters.ts. */
  | {
      readonly kind: 'filter'
      readonly filter: string
      readonly expr: Expr
      readonly args: readonly Scalar[]
    }
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
  /** Set when the user named a whole SLS: emitted once as `- sls: <name>` for all its states. */
  readonly sls?: string
  /** Written as `- <module>: <the target's name>` (by-name.ts), not its ID. */
  readonly byName?: true
  readonly origin: Origin
}

/** A state's arguments by name; key order is the emission order (names are never integer-like). */
export type Args = { readonly [name: string]: Value }

export interface StateNode {
  readonly kind: 'state'
  /** Unique in a program, in declaration order. */
  readonly key: number
  readonly id: string
  readonly module: string
  readonly fun: string
  /** Arguments by name, in emission order (without requisites). */
  readonly args: Args
  readonly requisites: readonly Requisite[]
  readonly sls: string
  /** Conditions (outermost first) under which the state exists. */
  readonly when: readonly Cond[]
  readonly origin: Origin
  /** Set for extension modules the catalog of the pinned Salt does not know. */
  readonly unchecked?: true
  /** Arguments given through `extra`: keyword arguments the function passes on, not checked by name. */
  readonly extra?: readonly string[]
  /** The ID as Salt renders it, when it is built from pillar, grains or a loop (`id` is then its label). */
  readonly idExpr?: Expr
  /** The key of the state whose ID this one joins (one ID, several modules: `id: otherHandle`). */
  readonly joins?: number
  /** The `forEach` loops the state is declared in, outermost first (for-each.ts). */
  readonly loops?: readonly LoopNode[]
  /** Arguments present only where their value is defined (`ifDefined`), by name. */
  readonly optional?: readonly string[]
  /** The function, chosen when Salt renders: `fun` where `cond` holds, else `otherwise` (choose-function.ts). */
  readonly funChoice?: { readonly cond: Cond; readonly otherwise: string }
  /** An `extend:` entry (extend.ts): adds to the state `id` of this SLS, which lives in SLS `extends`. */
  readonly extends?: string
  /** A state of hand-written Salt (external.ts): referenced by requisites, emitted by nobody. */
  readonly external?: true
  /**
   * Where `state()`'s author put the requisites among the arguments (argument names and requisite kinds,
   * in the order written): set only when that is not after every argument in REQUISITE_KINDS order.
   */
  readonly layout?: readonly string[]
}

/** A render-time loop over a list or map Salt reads (`forEach`): a Jinja `for`. */
export interface LoopNode {
  readonly kind: 'loop'
  /** How many loops enclose this one (its Jinja variables are `dsl_k<depth>` and `dsl_v<depth>`). */
  readonly depth: number
  readonly source: Expr
  /** How many `when()` conditions were open when the loop started (those enclose it, the rest are inside). */
  readonly at: number
  /** The source is a list by the pillar schema (its keys are indexes); undefined where the schema does not say. */
  readonly list?: boolean
  readonly origin: Origin
}

export interface SlsNode {
  readonly kind: 'sls'
  readonly name: string
  readonly doc: string | undefined
  /** Explicit includes, in the author's order. */
  readonly includes: readonly string[]
  /** Conditions and saltenvs of some of them (include.ts). */
  readonly includeOptions?: { readonly [name: string]: { readonly when?: Cond; readonly saltenv?: string } }
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
  /** Set for a directory of hand-written Salt (`saltDir()`): its path under out/salt/ (e.g. `nginx`). */
  readonly dir?: string
  readonly origin: Origin
}

export interface Program {
  readonly states: readonly StateNode[]
  readonly assets: readonly Asset[]
  readonly sls: readonly SlsNode[]
  readonly top: readonly TopEntry[]
  readonly issues: readonly BuilderIssue[]
  /** Pillar schema, layers, profiles and inventory (absent when the config declares none). */
  readonly pillar?: PillarProgram
}

/** One problem the pillar schema found in a machine's merged pillar. */
export interface SchemaIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
  /** The key is not in the schema (it would be dropped, or is rejected by a strict object). */
  readonly unknownKey?: boolean
}

/** The schema of the merged pillar (`pillarSchema`), as a checker and as JSON Schema. */
export interface PillarSchemaNode {
  readonly kind: 'pillar-schema'
  readonly validate: (value: unknown) => readonly SchemaIssue[]
  readonly jsonSchema: unknown
  readonly origin: Origin
}

/** One pillar layer (`layer('platforms/macos', {...})`): data merged into the machines it applies to. */
export interface LayerNode {
  readonly kind: 'layer'
  /** `defaults/<name>`, `profiles/<name>`, `environments/<name>`, `platforms/<platform>`, `machines/<id>`, `users/<name>`. */
  readonly path: string
  readonly data: { readonly [key: string]: Value }
  readonly origin: Origin
}

export interface ProfileNode {
  readonly kind: 'profile'
  readonly name: string
  readonly sls: readonly string[]
  readonly features: { readonly [flag: string]: Value } | undefined
  readonly origin: Origin
}

export interface MachineNode {
  readonly kind: 'machine'
  /** The minion id. */
  readonly id: string
  readonly platform: string
  readonly environment: string
  readonly profile: string
  readonly users: readonly string[]
  /** Extra grains the compiler assumes for this machine (beside the platform's). */
  readonly grains: { readonly [grain: string]: Value }
  /** How salt-dsl reaches it: salt-call on the machine, a salt-master, or salt-ssh (absent: local). */
  readonly via?: 'local' | 'master' | 'ssh'
  /** For `via: 'ssh'`: its salt-ssh roster entry. */
  readonly ssh?: SshTargetNode
  readonly origin: Origin
}

/** Where salt-ssh connects to a machine (a roster entry). */
export interface SshTargetNode {
  readonly host: string
  readonly port?: number
  readonly user?: string
  readonly sudo?: boolean
  /** The private key salt-ssh uses (else its own `pki_dir/ssh/salt-ssh.rsa`). */
  readonly priv?: string
}

/** What a salt-master of this fleet serves and who may use it. */
export interface FleetNode {
  /** Where `dsl publish` puts the generations the master serves. */
  readonly publishRoot: string
  /** Operator (a user on the master) → the targets (`profile=work`, ...) they may apply to. */
  readonly operators: { readonly [user: string]: readonly string[] }
  /** Salt's scheduler on each minion runs `state.apply test=True` this often (seconds); absent: no schedule. */
  readonly driftCheck?: { readonly seconds: number }
}

export interface InventoryNode {
  readonly kind: 'inventory'
  readonly machines: readonly MachineNode[]
  /** Defaults for machines that are not registered yet (matched by the grains onboarding sets). */
  readonly onboarding: {
    readonly environment?: string
    readonly profile?: string
    /** The platforms a machine may onboard on (every platform when absent). */
    readonly platforms?: readonly string[]
  }
  /** Salt's `pillar_merge_lists`: lists from later layers are appended instead of replacing. */
  readonly mergeLists: boolean
  /** The fleet's master settings (absent: the config names none). */
  readonly fleet?: FleetNode
  readonly origin: Origin
}

export interface PillarProgram {
  readonly schema: PillarSchemaNode | undefined
  readonly layers: readonly LayerNode[]
  readonly profiles: readonly ProfileNode[]
  readonly inventory: InventoryNode | undefined
}
