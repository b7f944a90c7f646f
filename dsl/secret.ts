import type { Lookup } from './expr.ts'
import { EXPR, type Expr, type Origin, type Value } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue } from './session.ts'

/** Where `dsl build` reads a secret's value from (config code never does). */
export type SecretSource = 'pass' | 'env' | 'file' | 'command'

/** The pillar key every secret lives under: `dsl_secrets:<name>`, in each machine's encrypted pillar file. */
export const SECRET_ROOT = 'dsl_secrets'

/** Brands a secret's type (a phantom: nothing carries it at run time). */
declare const SECRET: unique symbol

/**
 * An opaque handle to a secret: a state argument may hold it (Salt reads it from the machine's encrypted
 * pillar), but it is typed as a symbol, so `'x' + s`, `` `${s}` `` or a state ID made of it is a type error.
 */
export type Secret<T = string> = symbol & Lookup<T> & { readonly [SECRET]: T }

/** What the build needs to read a secret, kept on its pillar lookup (never the value). */
export interface SecretSpec {
  readonly name: string
  readonly source: SecretSource
  readonly ref: string | readonly string[]
  readonly origin: Origin
}

/** A secret's lookup: `{kind: 'pillar', path: ['dsl_secrets', name]}` plus the spec the build reads. */
export type SecretExpr = Expr & { readonly kind: 'pillar'; readonly secret: SecretSpec }

const ACCESSOR = Symbol.for('salt-dsl.accessor')
const NAME_RE = /^[A-Za-z0-9_.-]+$/
const SOURCES: readonly SecretSource[] = ['pass', 'env', 'file', 'command']

export interface SecretOptions {
  /** The key under `dsl_secrets` (default: the reference with every other character made `_`). */
  readonly name?: string
}

/**
 * A secret read by `dsl build` (never by config code) and delivered encrypted, in pillar, to the machines
 * whose states use it.
 * @example
 * file('/home/demo/.token', { user: 'demo', mode: '0600', contents: secret('env', 'DEMO_TOKEN') })
 * // - contents_pillar: dsl_secrets:DEMO_TOKEN     (out/pillar/dsl_secrets/<machine>.sls: #!yaml|gpg)
 * secret('pass', 'web/api-token')                         // pass show web/api-token (first line)
 * secret('file', '/run/keys/deploy')                      // the file's bytes
 * secret('command', ['op', 'read', 'op://vault/item/password'])   // 1Password
 * secret('command', ['bw', 'get', 'password', 'deploy-token'])    // Bitwarden
 */
export function secret<T = string>(
  source: SecretSource,
  ref: string | readonly string[],
  options: SecretOptions = {},
): Secret<T> {
  const origin = callSite(secret)
  const refText = typeof ref === 'string' ? ref : ref.join(' ')
  if (!SOURCES.includes(source))
    addIssue('DSL1083', `secret source '${String(source)}' is not one of ${SOURCES.join(', ')}`, origin)
  if (source === 'command' ? !Array.isArray(ref) || ref.length === 0 : typeof ref !== 'string' || ref === '')
    addIssue(
      'DSL1083',
      `secret('${source}', ...) needs ${source === 'command' ? 'a non-empty argument list' : 'a non-empty string'}`,
      origin,
    )
  const name = options.name ?? refText.replace(/[^A-Za-z0-9_.-]/g, '_')
  if (!NAME_RE.test(name))
    addIssue('DSL1083', `secret name '${name}' may hold only letters, digits, '_', '.', '-'`, origin)
  const spec: SecretSpec = Object.freeze({
    name,
    source,
    ref: typeof ref === 'string' ? ref : Object.freeze([...ref]),
    origin,
  })
  const expr = Object.freeze({
    [EXPR]: true as const,
    kind: 'pillar' as const,
    path: Object.freeze([SECRET_ROOT, name]),
    secret: spec,
  })
  const refuse = (): never => {
    // reported by the load stage as DSL1085 at the config's line (a throw: the text it asked for cannot exist)
    throw Object.assign(
      new TypeError(
        `secret '${name}' cannot be turned into text (concatenated, put in a template or used as an ID)`,
      ),
      { dslCode: 'DSL1085' },
    )
  }
  return Object.freeze({
    [ACCESSOR]: expr,
    [Symbol.toPrimitive]: refuse,
    toString: refuse,
    toJSON: refuse,
  }) as unknown as Secret<T>
}

const SECRETS_USED = Symbol.for('salt-dsl.secrets-used')

/** The secrets a state's arguments received (`guardSecretArgs` records them). */
export function secretsOfState(args: object): readonly SecretSpec[] {
  return (args as Record<symbol, readonly SecretSpec[] | undefined>)[SECRETS_USED] ?? []
}

/** The secret behind a value, if it is one. */
export function secretOf(value: unknown): SecretSpec | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  const expr = (value as Record<symbol, unknown>)[ACCESSOR] ?? value
  const spec = (expr as { secret?: SecretSpec } | undefined)?.secret
  return spec !== undefined && (expr as Record<symbol, unknown>)[EXPR] === true ? spec : undefined
}

/** Every secret a converted value holds (at any depth, including inside a `text` concat). */
export function secretsIn(value: Value | undefined, into: SecretSpec[] = []): SecretSpec[] {
  if (value === null || typeof value !== 'object') return into
  const spec = secretOf(value)
  if (spec !== undefined) into.push(spec)
  else if (Array.isArray(value)) for (const v of value) secretsIn(v as Value, into)
  else if ((value as Record<symbol, unknown>)[EXPR] === true) {
    const parts = (value as { parts?: readonly Value[] }).parts
    if (parts !== undefined) for (const p of parts) secretsIn(p, into)
  } else for (const v of Object.values(value)) secretsIn(v as Value, into)
  return into
}

/**
 * A state that receives a secret never shows it: a file's content comes from pillar on the minion
 * (`contents_pillar`, so the rendered SLS never holds it) without a diff, a command's output is hidden.
 * Mutates the state's converted arguments (before they are frozen).
 */
export function guardSecretArgs(module: string, fun: string, args: Record<string, Value>): void {
  const found: SecretSpec[] = []
  for (const key of Object.keys(args)) secretsIn(args[key], found)
  if (found.length === 0) return
  // kept beside the arguments (not enumerable, so never emitted): the build encrypts them for the machines
  // whose tree holds this state, even where the argument itself became a pillar key's name
  Object.defineProperty(args, SECRETS_USED, { value: Object.freeze(found) })
  if (module === 'file') {
    const contents = secretOf(args.contents)
    if (contents !== undefined && fun === 'managed') {
      delete args.contents
      args.contents_pillar = `${SECRET_ROOT}:${contents.name}`
    }
    if (args.show_changes === undefined) args.show_changes = false
  } else if (module === 'cmd') {
    if (args.output_loglevel === undefined) args.output_loglevel = 'quiet'
    if (args.hide_output === undefined) args.hide_output = true
  }
}

/** For `text`/`sh`: a secret among the values is refused at run time too (the types refuse it already). */
export function refuseSecretParts(values: readonly unknown[], what: string, origin: () => Origin): boolean {
  let spec: SecretSpec | undefined
  for (const v of values) if (typeof v === 'object' && v !== null) spec ??= secretOf(v)
  if (spec === undefined) return false
  addIssue(
    'DSL1081',
    `secret '${spec.name}' is joined into a string by ${what}, which would put it in the SLS in clear`,
    origin(),
    'pass the secret itself as the value of an argument (e.g. contents), where Salt reads it from pillar',
  )
  return true
}

/** A secret as a state's ID or name would be rendered into the SLS (and Salt's output) in clear: refused. */
export function refuseSecretId(id: unknown, name: unknown, origin: Origin): void {
  const spec = secretOf(id) ?? secretOf(name)
  if (spec === undefined) return
  addIssue(
    'DSL1084',
    `secret '${spec.name}' is used as a state ID or name, which Salt prints in every result`,
    origin,
    'name the state by something public (its path, a package) and pass the secret as an argument value',
  )
}

/** Tuple of template values with every secret turned into `never` (a type error at `text`/`sh`). */
export type NoSecrets<V extends readonly unknown[]> = {
  readonly [K in keyof V]: V[K] extends { readonly [SECRET]: unknown } ? never : V[K]
}
