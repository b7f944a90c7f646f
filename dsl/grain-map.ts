// The grain-keyed form of byPlatform(): its cases, each key checked against the values Salt gives that grain.
import { OS_FAMILIES, OS_NAMES } from './grain-values.ts'
import { EXPR, type Expr, type Origin, type Value } from './ir.ts'
import { type GrainMap, grainCase, PLATFORM_GRAIN_KEYS, type PlatformGrain } from './platform-match.ts'
import { addIssue } from './session.ts'
import { closest } from './suggest.ts'
import { MAX_JINJA_DEPTH, toValue } from './values.ts'

const KNOWN: Partial<Record<PlatformGrain, readonly string[]>> = { os_family: OS_FAMILIES, os: OS_NAMES }

/** The `platform` expression of a grain-keyed map (cases `<grain>=<value>`, least specific grain first). */
export function grainMapValue<T>(map: GrainMap<T>, origin: Origin): never {
  const cases: (readonly [string, Value])[] = []
  for (const key of Object.keys(map)) {
    if (key !== 'default' && !(PLATFORM_GRAIN_KEYS as readonly string[]).includes(key)) {
      const hint = `key it by ${PLATFORM_GRAIN_KEYS.join(', ')} or default; the five platform names are the other form`
      addIssue('DSL4060', `byPlatform: '${key}' is not a grain it can be keyed by`, origin, hint)
    }
  }
  for (const grain of PLATFORM_GRAIN_KEYS) {
    const values = map[grain] as Readonly<Record<string, unknown>> | undefined
    if (values === undefined) continue
    for (const [name, raw] of Object.entries(values)) {
      if (!validKey(grain, name, origin)) continue
      const value = toValue(raw, origin, `byPlatform value for ${grain} '${name}'`, MAX_JINJA_DEPTH)
      if (value !== undefined) cases.push(Object.freeze([grainCase(grain, name), value] as const))
    }
  }
  if (map.default !== undefined) {
    const value = toValue(map.default, origin, 'byPlatform default', MAX_JINJA_DEPTH)
    if (value !== undefined) cases.push(Object.freeze(['default', value] as const))
  }
  const expr: Expr = Object.freeze({ [EXPR]: true as const, kind: 'platform', cases: Object.freeze(cases) })
  return expr as never
}

function validKey(grain: PlatformGrain, name: string, origin: Origin): boolean {
  const known = KNOWN[grain]
  if (known !== undefined && !known.includes(name)) {
    const near = closest(name, known)
    const hint =
      near === undefined ? `Salt's values: ${known.slice(0, 12).join(', ')}, ...` : `did you mean '${near}'?`
    addIssue('DSL4060', `byPlatform: '${name}' is not a value Salt gives the ${grain} grain`, origin, hint)
    return false
  }
  if (grain === 'osmajorrelease' && !/^(0|[1-9][0-9]*)$/.test(name)) {
    addIssue('DSL4060', `byPlatform: osmajorrelease '${name}' is not a whole number`, origin)
    return false
  }
  return true
}
