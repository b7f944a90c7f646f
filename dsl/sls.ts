import { type Condition, toCond } from './expr.ts'
import { SLS, type SlsHandle } from './handle.ts'
import { type Include, readIncludes } from './include.ts'
import type { SlsNode } from './ir.ts'
import { callSite } from './origin.ts'
import { addIssue, register, session } from './session.ts'

const NAME_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/

export interface SlsOptions {
  /** A comment written at the top of the emitted file. */
  readonly doc?: string
  /**
   * SLS modules to include even when no requisite points into them, in this order (Salt runs included
   * states in include order): handles, names of hand-written SLS, or `{ sls, when, saltenv }`.
   */
  readonly include?: readonly Include[]
}

/** What `sls()` returns: the module's handle, with what its body returned (handles for other files). */
export type SlsExports<T> = T extends object ? SlsHandle & { readonly [K in keyof T]: T[K] } : SlsHandle

/**
 * Groups the states declared in `body` into one SLS module. What `body` returns (an object of handles) is
 * on the returned handle, so another file can point at a state: `require: [git.gitPkg]`.
 * @example
 * export const git = sls('dev.git', () => ({ gitPkg: pkg('git') }))
 * // out/salt/dev/git.sls:
 * // git:
 * //   pkg.installed: []
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a body that returns nothing gives a plain handle
export function sls<T extends { readonly [key: string]: unknown } | void = void>(
  name: string,
  body: () => T,
  options: SlsOptions = {},
): SlsExports<T> {
  const origin = callSite(sls)
  const s = session()
  if (!NAME_RE.test(name)) {
    addIssue(
      'DSL1007',
      `'${name}' is not a valid SLS name`,
      origin,
      'use dotted names of letters, digits, _ and -, e.g. dev.git',
    )
  }
  if (s.current !== undefined) {
    addIssue(
      'DSL1008',
      `sls('${name}') is nested inside sls('${s.current.name}')`,
      origin,
      'declare SLS modules side by side',
    )
  }
  const includes = readIncludes(options.include ?? [], origin)
  const node: SlsNode = Object.freeze({
    kind: 'sls',
    name,
    doc: options.doc,
    includes: Object.freeze(includes.names),
    ...(includes.options === undefined ? {} : { includeOptions: Object.freeze(includes.options) }),
    origin,
  })
  register(s, { kind: 'sls', node })
  const outer = s.current
  s.current = node
  let exported: T
  try {
    exported = body()
  } finally {
    s.current = outer
  }
  return Object.freeze({ ...slsExports(exported, name, origin), [SLS]: name, name }) as SlsExports<T>
}

/** The own enumerable properties of what a body returned; `name` is the handle's own. */
function slsExports(value: unknown, name: string, origin: ReturnType<typeof callSite>): object {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    addIssue(
      'DSL1013',
      `the body of sls('${name}') returned ${Array.isArray(value) ? 'an array' : typeof value}`,
      origin,
      'return nothing, or an object of handles: `() => ({ gitPkg: pkg("git") })`',
    )
    return {}
  }
  if (Object.hasOwn(value, 'name')) {
    addIssue(
      'DSL1013',
      `the body of sls('${name}') returned a key 'name', which is the SLS handle's own`,
      origin,
      'rename that key',
    )
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) if (key !== 'name') out[key] = (value as Record<string, unknown>)[key]
  return out
}

/**
 * Declares the states in `body` only where `cond` holds when Salt renders the SLS (a Jinja `if`).
 * @example
 * when(pillar.features.install_fonts, () => { pkg('fonts-firacode') })
 * // {% if salt['pillar.get']('features:install_fonts') %} ... {% endif %}
 */
export function when(cond: Condition, body: () => void): void {
  const s = session()
  s.when.push(toCond(cond))
  try {
    body()
  } finally {
    s.when.pop()
  }
}
