import { z } from 'zod'
import { type Accessor, makeAccessor } from './expr.ts'
import type { LayerNode, Origin, PillarSchemaNode, SchemaIssue } from './ir.ts'
import type { PillarData } from './lookups.ts'
import { callSite } from './origin.ts'
import type { Platform } from './platform.ts'
import { addIssue, register, session } from './session.ts'
import { toValue } from './values.ts'

export { z }

/** What a layer may hold: any part of the pillar; lists are given whole (Salt replaces or appends them). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T

/** Where a layer sits; the kind fixes its precedence (later kinds win). */
export type LayerPath =
  | `defaults/${string}`
  | `profiles/${string}`
  | `environments/${string}`
  | `platforms/${Platform}`
  | `machines/${string}`
  | `users/${string}`

/** The layer kinds, in merge order (a later kind overrides an earlier one). */
export const LAYER_KINDS = ['defaults', 'profiles', 'environments', 'platforms', 'machines', 'users'] as const

const LAYER_RE = /^(defaults|profiles|environments|platforms|machines|users)\/[A-Za-z0-9_.-]+$/

/**
 * What `pillarSchema` needs of a zod schema, spelled out instead of `z.ZodType`: checking a schema against
 * ZodType's whole structure cost tsc about 200 ms on every run that checked a file reading the pillar.
 */
type SchemaLike = { readonly _zod: { readonly output: unknown } }

/** The typed pillar tools of one schema: the accessor and `layer` typed by it (no module augmentation needed). */
export interface PillarKit<T> {
  readonly schema: z.ZodType<T>
  /** The merged pillar, typed by the schema (compiles to `salt['pillar.get']('a:b')`). */
  readonly pillar: Accessor<T>
  /** `layer()` checked against the schema. */
  readonly layer: (path: LayerPath, data: DeepPartial<T>) => void
}

/**
 * Registers the zod schema of the merged pillar: every machine's merged pillar is validated against it, and
 * `out/pillar/schema.json` is its JSON Schema. Type the global `pillar` with
 * `declare module 'salt-dsl' { interface Register { pillar: z.infer<typeof schema> } }`, or use the returned kit.
 * @example
 * const { pillar, layer } = pillarSchema(z.object({ git: z.object({ email: z.email() }) }))
 * layer('defaults/common', { git: { email: 'ada@example.org' } })
 * // out/pillar/defaults/common.sls:
 * // git:
 * //   email: ada@example.org
 */
export function pillarSchema<S extends SchemaLike>(schema: S): PillarKit<S['_zod']['output']> {
  type T = S['_zod']['output']
  const origin = callSite(pillarSchema)
  // a zod schema at run time (a value that is not one fails in zod, as before)
  const zod = schema as unknown as z.ZodType<T>
  const node: PillarSchemaNode = Object.freeze({
    kind: 'pillar-schema',
    validate: (value: unknown) => validate(zod, value),
    jsonSchema: jsonSchemaOf(zod),
    origin,
  })
  register(session(), { kind: 'schema', node })
  const kitLayer = (path: LayerPath, data: DeepPartial<T>) => recordLayer(path, data, callSite(kitLayer))
  return Object.freeze({ schema: zod, pillar: makeAccessor<T>('pillar', []), layer: kitLayer })
}

/**
 * One layer of pillar data: defaults, a profile, an environment, a platform, a machine or a user. Each machine
 * merges the layers that apply to it in that order, as Salt does (dicts recursively, later wins).
 * @example
 * layer('platforms/macos', { shell: { path: '/bin/zsh' } })
 * // out/pillar/platforms/macos.sls:
 * // shell:
 * //   path: /bin/zsh
 */
export function layer(path: LayerPath, data: DeepPartial<PillarData>): void {
  recordLayer(path, data, callSite(layer))
}

function recordLayer(path: string, data: unknown, origin: Origin): void {
  if (!LAYER_RE.test(path)) {
    const hint = `use <kind>/<name> with kind one of ${LAYER_KINDS.join(', ')}, e.g. 'environments/work'`
    addIssue('DSL4007', `'${path}' is not a layer path`, origin, hint)
    return
  }
  const value = toValue(data, origin, `layer '${path}'`)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    addIssue('DSL4007', `layer '${path}' must be an object`, origin)
    return
  }
  const node: LayerNode = Object.freeze({ kind: 'layer', path, data: value as LayerNode['data'], origin })
  register(session(), { kind: 'layer', node })
}

function validate(schema: z.ZodType, value: unknown): SchemaIssue[] {
  const result = schema.safeParse(value)
  if (result.success) return strippedKeys(value, result.data, [])
  const out: SchemaIssue[] = []
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)))
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: [...path, key], message: 'unknown key', unknownKey: true })
    } else {
      out.push({ path, message: issue.message })
    }
  }
  return out
}

/** Keys of the input that the schema dropped (a plain z.object strips unknown keys instead of failing). */
function strippedKeys(input: unknown, output: unknown, path: (string | number)[]): SchemaIssue[] {
  if (!isRecord(input) || !isRecord(output)) {
    if (Array.isArray(input) && Array.isArray(output) && input.length === output.length) {
      return input.flatMap((item, i) => strippedKeys(item, output[i], [...path, i]))
    }
    return []
  }
  return Object.keys(input).flatMap((key) => {
    // zod's output never holds a `__proto__` key (it assigns it), even where the schema lets it through
    // (a strict object reports it itself); any other key it kept is its own
    if (key === '__proto__') return []
    return Object.hasOwn(output, key)
      ? strippedKeys(input[key], output[key], [...path, key])
      : [{ path: [...path, key], message: 'unknown key', unknownKey: true }]
  })
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' })
  } catch {
    return { $schema: 'https://json-schema.org/draft/2020-12/schema' }
  }
}
