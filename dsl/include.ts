// What `sls(name, body, { include })` takes beyond SLS handles: a hand-written SLS by name, an include
// under a condition (grain- or pillar-driven), and one from another saltenv (`- <saltenv>: <sls>`).
// Salt's `defaults`/`key` of an include belong to the stateconf renderer: a plain highstate reads any
// dict include as `{saltenv: sls}` ("Nonexistent saltenv 'x' found in include"), so they are not offered.
import { type Condition, toCond } from './expr.ts'
import { isSlsHandle, type SlsHandle } from './handle.ts'
import type { Cond, Origin } from './ir.ts'
import { addIssue } from './session.ts'

/** One include with options. */
export interface IncludeSpec {
  /** The SLS: a handle, or the name of hand-written Salt (an SLS of a `saltDir()`, e.g. `'nginx.ng'`). */
  readonly sls: SlsHandle | string
  /** Include it only where this holds when Salt renders (e.g. `eq(grains.os_family, 'Debian')`). */
  readonly when?: Condition
  /** The saltenv to include it from (`- <saltenv>: <sls>`); the including SLS's own by default. */
  readonly saltenv?: string
}

export type Include = SlsHandle | IncludeSpec

/** Per included name, what its include says beyond the name (absent for a plain include). */
export interface IncludeOptions {
  readonly when?: Cond
  readonly saltenv?: string
}

/** The included names in the author's order, and the options of those that have any. */
export function readIncludes(
  list: readonly Include[],
  origin: Origin,
): { names: string[]; options: Record<string, IncludeOptions> | undefined } {
  const names: string[] = []
  let options: Record<string, IncludeOptions> | undefined
  for (const item of list) {
    if (isSlsHandle(item)) {
      if (!names.includes(item.name)) names.push(item.name)
      continue
    }
    const name = item !== null && typeof item === 'object' ? slsName(item.sls) : undefined
    if (name === undefined) {
      addIssue('DSL1071', 'an include is not an SLS handle, a name or { sls, when, saltenv }', origin)
      continue
    }
    if (names.includes(name)) continue
    names.push(name)
    const when = item.when === undefined ? undefined : toCond(item.when)
    const saltenv = typeof item.saltenv === 'string' && item.saltenv !== '' ? item.saltenv : undefined
    if (item.saltenv !== undefined && saltenv === undefined)
      addIssue('DSL1071', `include '${name}': saltenv must be a non-empty string`, origin)
    if (when === undefined && saltenv === undefined) continue
    options ??= Object.create(null) as Record<string, IncludeOptions>
    options[name] = Object.freeze({
      ...(when === undefined ? {} : { when }),
      ...(saltenv === undefined ? {} : { saltenv }),
    })
  }
  return { names, options }
}

function slsName(sls: unknown): string | undefined {
  if (isSlsHandle(sls)) return sls.name
  return typeof sls === 'string' && sls !== '' ? sls : undefined
}
