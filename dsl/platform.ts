import type { Lookup } from './expr.ts'
import { grainMapValue } from './grain-map.ts'
import { EXPR, type Expr, type Scalar, type Value } from './ir.ts'
import { callSite } from './origin.ts'
import { type GrainMap, PLATFORM_GRAIN_KEYS } from './platform-match.ts'
import { addIssue } from './session.ts'
import { MAX_JINJA_DEPTH, toValue } from './values.ts'

/** The platforms an inventory machine can run. */
export const PLATFORMS = ['macos', 'ubuntu', 'debian', 'arch', 'fedora'] as const
export type Platform = (typeof PLATFORMS)[number]

/** The identity grains salt-dsl assumes for each platform (what the pillar and state top files match on). */
export const PLATFORM_GRAINS: Readonly<
  Record<Platform, { readonly os: string; readonly os_family: string; readonly kernel: string }>
> = Object.freeze({
  macos: Object.freeze({ os: 'MacOS', os_family: 'MacOS', kernel: 'Darwin' }),
  ubuntu: Object.freeze({ os: 'Ubuntu', os_family: 'Debian', kernel: 'Linux' }),
  debian: Object.freeze({ os: 'Debian', os_family: 'Debian', kernel: 'Linux' }),
  arch: Object.freeze({ os: 'Arch', os_family: 'Arch', kernel: 'Linux' }),
  fedora: Object.freeze({ os: 'Fedora', os_family: 'RedHat', kernel: 'Linux' }),
})

export function isPlatform(name: string): name is Platform {
  return (PLATFORMS as readonly string[]).includes(name)
}

type Json = Scalar | readonly Json[] | { readonly [key: string]: Json }

/** What `byPlatform` returns: usable wherever a `T` is, and Salt picks the value on the machine. */
export type PlatformValue<T> = T & Lookup<T>

/**
 * A value that differs per platform, chosen by the machine's `os` grain when Salt renders the SLS.
 * A machine that receives the state on a platform the map lacks is a compile-time error (DSL4005), unless
 * the map has a `default`.
 * @example
 * pkg(byPlatform({ ubuntu: 'fd-find', fedora: 'fd-find', arch: 'fd', macos: 'fd' }), { id: 'fd' })
 * // fd:
 * //   pkg.installed:
 * //     - name: {{ dsl_yaml({"Ubuntu": "fd-find", "Fedora": "fd-find", "Arch": "fd", "MacOS": "fd"}.get(salt['grains.get']("os"))) }}
 */
export function byPlatform<const T extends Json>(
  map: { readonly [P in Platform]?: T } & {
    /** The value for every other platform (also for machines not in the inventory). */
    readonly default?: T
  },
): PlatformValue<T>
/**
 * A value keyed by the grains Salt's `grains.filter_by` uses (`os_family`, `os`, `osmajorrelease`,
 * `oscodename`, `osfinger`): the most specific one that has the machine's value wins, else `default`.
 * A key that is not a value Salt gives that grain is a type error.
 * @example
 * byPlatform({ os_family: { Debian: 'www-data', RedHat: 'nginx' }, os: { Ubuntu: 'www-data' }, default: 'nginx' })
 */
export function byPlatform<const T extends Json>(map: GrainMap<T>): PlatformValue<T>
export function byPlatform<const T extends Json>(
  map: ({ readonly [P in Platform]?: T } & { readonly default?: T }) | GrainMap<T>,
): PlatformValue<T> {
  const origin = callSite(byPlatform)
  if (PLATFORM_GRAIN_KEYS.some((k) => Object.hasOwn(map, k))) return grainMapValue(map as GrainMap<T>, origin)
  const cases: (readonly [string, Value])[] = []
  for (const [platform, raw] of Object.entries(map)) {
    if (!isPlatform(platform) && platform !== 'default') {
      addIssue(
        'DSL4006',
        `byPlatform: unknown platform '${platform}'`,
        origin,
        `use one of ${PLATFORMS.join(', ')}`,
      )
      continue
    }
    const value = toValue(raw, origin, `byPlatform value for '${platform}'`, MAX_JINJA_DEPTH)
    if (value !== undefined) cases.push(Object.freeze([platform, value] as const))
  }
  const expr: Expr = Object.freeze({ [EXPR]: true as const, kind: 'platform', cases: Object.freeze(cases) })
  return expr as unknown as PlatformValue<T>
}
