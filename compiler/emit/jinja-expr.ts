import type { Cond, Expr, Scalar, Value } from '../../dsl/ir.ts'
import { isExpr } from '../../dsl/ir.ts'
import { PLATFORM_GRAINS, type Platform } from '../../dsl/platform.ts'
import { caseGrain, mergesDicts, PLATFORM_GRAIN_KEYS } from '../../dsl/platform-match.ts'
import { itemJinja } from './emit-loop.ts'
import { JinjaExpr, jinjaLiteral, type YamlNode } from './yaml.ts'

/** The Jinja expression that reads an IR expression at render time. */
export function exprJinja(e: Expr): string {
  switch (e.kind) {
    case 'pillar':
      return e.default === undefined
        ? `salt['pillar.get'](${jinjaLiteral(e.path.join(':'))})`
        : `salt['pillar.get'](${jinjaLiteral(e.path.join(':'))}, ${valueJinja(e.default)})`
    case 'grain':
      return `salt['grains.get'](${jinjaLiteral(e.path.join(':'))})`
    case 'concat':
      return `(${e.parts.map((p) => (typeof p === 'string' ? jinjaLiteral(p) : `(${exprJinja(p)} | string)`)).join(' ~ ')})`
    case 'platform':
      return platformJinja(e.cases)
    case 'quoted':
      return `(${exprJinja(e.expr)} | string | quote)`
    case 'item':
      return itemJinja(e)
    case 'filter':
      return filterJinja(e.filter, exprJinja(e.expr), e.args)
  }
}

/** `(x | lower)`, `(x | replace("a", "b"))`; `default` also replaces an empty value (Salt's `''` for missing). */
function filterJinja(name: string, input: string, args: readonly Scalar[]): string {
  const all = name === 'default' ? [...args.map(scalarJinja), 'true'] : args.map(scalarJinja)
  return all.length === 0 ? `(${input} | ${name})` : `(${input} | ${name}(${all.join(', ')}))`
}

/** `{"MacOS": "fd", "Ubuntu": "fd-find"}.get(salt['grains.get']("os"))`: none on a platform the map lacks. */
function platformJinja(cases: readonly (readonly [string, Value])[]): string {
  if (cases.some(([p]) => caseGrain(p) !== undefined)) return grainMapJinja(cases)
  const fallback = cases.find(([p]) => p === 'default')
  const entries = cases
    .filter(([p]) => p !== 'default')
    .map(([platform, v]) => {
      const os = PLATFORM_GRAINS[platform as Platform]?.os ?? platform
      return `${jinjaLiteral(os)}: ${valueJinja(v)}`
    })
  const or = fallback === undefined ? '' : `, ${valueJinja(fallback[1])}`
  return `{${entries.join(', ')}}.get(salt['grains.get']("os")${or})`
}

/**
 * A grain-keyed map as `filter_by` nests it: `{osfinger map}.get(grains osfinger, {os map}.get(grains os,
 * ... default))`, the most specific grain outermost (an `osmajorrelease` key is a number, as that grain is).
 */
function grainMapJinja(cases: readonly (readonly [string, Value])[]): string {
  if (mergesDicts(cases)) return filterByJinja(cases)
  let inner = valueJinja((cases.find(([p]) => p === 'default')?.[1] ?? null) as Value)
  for (const grain of PLATFORM_GRAIN_KEYS) {
    const entries: string[] = []
    for (const [key, v] of cases) {
      const g = caseGrain(key)
      if (g === undefined || g[0] !== grain) continue
      entries.push(`${grain === 'osmajorrelease' ? g[1] : jinjaLiteral(g[1])}: ${valueJinja(v)}`)
    }
    if (entries.length > 0)
      inner = `{${entries.join(', ')}}.get(salt['grains.get'](${jinjaLiteral(grain)}), ${inner})`
  }
  return inner
}

/**
 * Dict values, merged as a community map.jinja does: `grains.filter_by({...}, grain='os_family',
 * merge=grains.filter_by({...}, grain='os', merge=...))`, the `default` in the outermost lookup.
 */
function filterByJinja(cases: readonly (readonly [string, Value])[]): string {
  const levels = PLATFORM_GRAIN_KEYS.filter((g) => cases.some(([key]) => caseGrain(key)?.[0] === g))
  const fallback = cases.find(([key]) => key === 'default')
  let inner: string | undefined
  for (let i = levels.length - 1; i >= 0; i--) {
    const grain = levels[i]!
    const entries: string[] = []
    for (const [key, v] of cases) {
      const g = caseGrain(key)
      if (g === undefined || g[0] !== grain) continue
      entries.push(`${grain === 'osmajorrelease' ? g[1] : jinjaLiteral(g[1])}: ${valueJinja(v)}`)
    }
    if (i === 0 && fallback !== undefined) entries.push(`"default": ${valueJinja(fallback[1])}`)
    const merge = inner === undefined ? '' : `, merge=${inner}`
    inner = `salt['grains.filter_by']({${entries.join(', ')}}, grain=${jinjaLiteral(grain)}${merge})`
  }
  return inner ?? 'none'
}

/** An IR value as a Jinja literal. */
export function valueJinja(v: Value): string {
  if (isExpr(v)) return exprJinja(v)
  if (Array.isArray(v)) return `[${v.map(valueJinja).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const items = Object.entries(v as Record<string, Value>).map(
      ([k, x]) => `${jinjaLiteral(k)}: ${valueJinja(x)}`,
    )
    return `{${items.join(', ')}}`
  }
  return scalarJinja(v as Scalar)
}

function scalarJinja(v: Scalar): string {
  if (v === null) return 'none'
  if (typeof v === 'string') return jinjaLiteral(v)
  return String(v)
}

/** The Jinja test of a condition. */
export function condJinja(c: Cond): string {
  switch (c.kind) {
    case 'truthy':
      return exprJinja(c.expr)
    case 'eq':
      return `${exprJinja(c.expr)} == ${scalarJinja(c.value)}`
    case 'in':
      return `${exprJinja(c.expr)} in [${c.values.map(scalarJinja).join(', ')}]`
    case 'not':
      return `not (${condJinja(c.cond)})`
    case 'and':
    case 'or':
      return (
        c.conds.map((x) => `(${condJinja(x)})`).join(` ${c.kind} `) || (c.kind === 'and' ? 'true' : 'false')
      )
  }
}

/**
 * The Jinja macro that writes a value Salt computes as YAML that reads back as exactly that value. A
 * Jinja SLS whose states read pillar or grains defines it once, on a line of its own (rendered empty).
 *
 * - JSON (typed; a flow collection YAML reads), not ASCII-escaped by `tojson` itself, which would write
 *   a character above U+FFFF (an emoji) as a surrogate pair that libyaml rejects.
 * - A float JSON writes without a dot (`1e-07`, `5e-324`) is a string to YAML 1.1: the regex gives its
 *   mantissa a `.0` (`1.0e-07`), skipping strings; \x01 and \x02 mark its two outcomes, and JSON
 *   escapes every control character, so no value holds them raw.
 * - Every character YAML's reader refuses or folds is escaped: DEL (JSON leaves it raw) by a `replace`,
 *   every other non-ASCII one by Python's `backslashreplace` as `\xNN`, `\uNNNN` or `\UNNNNNNNN`,
 *   which are YAML double-quoted escapes too (non-ASCII text is only inside JSON's double-quoted
 *   strings). So C1 controls (NEL included), U+2028/2029, U+FEFF and U+FFFE/U+FFFF arrive as they were;
 *   C0 controls are JSON's own `\uNNNN` escapes.
 */
export const YAML_MACRO = String.raw`{% macro dsl_yaml(value) %}{{ (value | tojson(ensure_ascii=False) | regex_replace('("(?:[^"\\\\]|\\\\.)*")|(?<![0-9.])(-?[0-9]+)(?=[eE])', '\\1\x01\\2\x02') | replace('"\x01\x02', '"') | replace('\x01', '') | replace('\x02', '.0') | replace('\x7f', '\\x7f')).encode('ascii', 'backslashreplace').decode('ascii') }}{% endmacro %}`

/** The Jinja expression that writes `expr`'s value as YAML, through `YAML_MACRO`. */
export const yamlOf = (expr: string): string => `dsl_yaml(${expr})`

/**
 * IR value → YAML node; an expression becomes `{{ dsl_yaml(...) }}` (see YAML_MACRO), so Salt
 * substitutes its typed value, byte for byte. Objects are built without a
 * prototype: a key named `__proto__` is data like any other.
 */
export function toYamlNode(v: Value): YamlNode {
  if (typeof v !== 'object' || v === null) return v
  if (isExpr(v)) return new JinjaExpr(yamlOf(exprJinja(v)))
  if (Array.isArray(v)) return v.map(toYamlNode)
  const out: Record<string, YamlNode> = Object.create(null)
  for (const k of Object.keys(v)) out[k] = toYamlNode((v as Record<string, Value>)[k]!)
  return out
}

/** True when a value holds an expression anywhere (the SLS then needs the Jinja renderer). */
export function hasExpr(v: Value): boolean {
  if (typeof v !== 'object' || v === null) return false
  if (isExpr(v)) return true
  if (Array.isArray(v)) return v.some(hasExpr)
  for (const key in v as Record<string, Value>) if (hasExpr((v as Record<string, Value>)[key]!)) return true
  return false
}
