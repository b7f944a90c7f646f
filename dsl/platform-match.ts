// Per-platform values keyed by the grains Salt's `grains.filter_by` uses, and which key wins on a machine.
import type { OsFamily, OsName } from './grain-values.ts'
import type { Value } from './ir.ts'

/** The grains a per-platform map may be keyed by, least specific first (the most specific match wins). */
export const PLATFORM_GRAIN_KEYS = ['os_family', 'os', 'osmajorrelease', 'oscodename', 'osfinger'] as const
export type PlatformGrain = (typeof PLATFORM_GRAIN_KEYS)[number]

/**
 * A per-platform map keyed by grain, as a community formula's `map.jinja` writes it with nested
 * `grains.filter_by(..., merge=...)`: the most specific grain that has the machine's value wins
 * (`osfinger`, then `oscodename`, `osmajorrelease`, `os`, `os_family`), else `default`.
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
