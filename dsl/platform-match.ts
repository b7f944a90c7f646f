// Per-platform values keyed by the grains Salt's `grains.filter_by` uses, and which key wins on a machine.
import type { OsFamily, OsName } from './grain-values.ts'
import { EXPR, type Value } from './ir.ts'

/** The grains a per-platform map may be keyed by, least specific first (the most specific match wins). */
export const PLATFORM_GRAIN_KEYS = ['os_family', 'os', 'osmajorrelease', 'oscodename', 'osfinger'] as const
export type PlatformGrain = (typeof PLATFORM_GRAIN_KEYS)[number]

/**
 * A per-platform map keyed by grain, as a community formula's `map.jinja` writes it with nested
 * `grains.filter_by(..., merge=...)`: the most specific grain that has the machine's value wins
 * (`osfinger`, then `oscodename`, `osmajorrelease`, `os`, `os_family`), else `default`. When every value
 * is a dict, the levels are merged as filter_by merges them (a more specific dict updates a less specific
 * one, recursively; `default` stands in where the least specific grain has no value). Keys are exact values
 * (filter_by would also read them as glob patterns).
 */
export interface GrainMap<T> {
  /** By `os_family`: Debian, RedHat, Arch, Suse, MacOS, FreeBSD, Gentoo, Windows, ... */
  readonly os_family?: { readonly [F in OsFamily]?: T }
  /** By `os`: Ubuntu, Debian, CentOS, Rocky, AlmaLinux, Fedora, openSUSE Leap, MacOS, ... */
  readonly os?: { readonly [O in OsName]?: T }
  /** By `osmajorrelease` (a number: 22, 9, 12). */
  readonly osmajorrelease?: { readonly [release: number]: T }
  /** By `oscodename` (jammy, bookworm, ...). */
  readonly oscodename?: { readonly [codename: string]: T }
  /** By `osfinger`: `<os>-<release>`, e.g. `Ubuntu-22.04`, `Rocky Linux-9`, `Debian-12`. */
  readonly osfinger?: { readonly [finger: `${string}-${string}`]: T }
  /** Every other machine (also machines not in the inventory). */
  readonly default?: T
}

/** A case of a grain-keyed map, as recorded in the IR: `<grain>=<value>`. */
export const grainCase = (grain: PlatformGrain, value: string): string => `${grain}=${value}`

/** The grain and value a recorded case key tests; undefined for `default` and the five platform names. */
export function caseGrain(key: string): [PlatformGrain, string] | undefined {
  const eq = key.indexOf('=')
  if (eq < 0) return undefined
  return [key.slice(0, eq) as PlatformGrain, key.slice(eq + 1)]
}

/**
 * The value Salt picks for a machine with `grains`, as the emitted Jinja does; `legacyOs` maps the five
 * platform names of the older form to their `os` grain. Undefined when nothing matches and there is no default.
 */
export function pickCase(
  cases: readonly (readonly [string, Value])[],
  grains: { readonly [grain: string]: unknown },
  legacyOs: (platform: string) => string | undefined,
): readonly [string, Value] | undefined {
  for (let i = PLATFORM_GRAIN_KEYS.length - 1; i >= 0; i--) {
    const grain = PLATFORM_GRAIN_KEYS[i]!
    const have = grains[grain]
    if (have === undefined || have === null) continue
    const hit = cases.find(([key]) => {
      const g = caseGrain(key)
      if (g !== undefined) return g[0] === grain && g[1] === String(have)
      return grain === 'os' && legacyOs(key) === have
    })
    if (hit !== undefined) return hit
  }
  return cases.find(([key]) => key === 'default')
}

const isDictValue = (v: Value | undefined): v is { readonly [key: string]: Value } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(EXPR in v)

/** A grain-keyed map whose values are all dicts: Salt merges them as nested `grains.filter_by(merge=...)`. */
export function mergesDicts(cases: readonly (readonly [string, Value])[]): boolean {
  return cases.some(([key]) => caseGrain(key) !== undefined) && cases.every(([, v]) => isDictValue(v))
}

/**
 * The value nested `grains.filter_by(lookup, grain=g, merge=<the more specific one>)` gives: from the most
 * specific grain out, each level's match (the outermost level's `default` where it has none) with the more
 * specific result merged into it by `merge` (Salt's dictupdate.update: dicts recursively, the rest replaced).
 */
export function mergeCases(
  cases: readonly (readonly [string, Value])[],
  grains: { readonly [grain: string]: unknown },
  merge: (dest: Value, upd: Value) => Value,
): Value | undefined {
  const levels = PLATFORM_GRAIN_KEYS.filter((g) => cases.some(([key]) => caseGrain(key)?.[0] === g))
  const fallback = cases.find(([key]) => key === 'default')?.[1]
  if (levels.length === 0) return fallback
  let acc: Value | undefined
  for (let i = levels.length - 1; i >= 0; i--) {
    const grain = levels[i]!
    const have = grains[grain]
    const hit = cases.find(([key]) => {
      const g = caseGrain(key)
      return g !== undefined && g[0] === grain && have !== undefined && have !== null && g[1] === String(have)
    })?.[1]
    const ret = hit ?? (i === 0 ? fallback : undefined)
    // filter_by merges only a non-empty merge argument
    const mergeable = acc !== undefined && isDictValue(acc) && Object.keys(acc).length > 0
    acc = ret === undefined ? (mergeable ? acc : undefined) : mergeable ? merge(ret, acc!) : ret
  }
  return acc
}
