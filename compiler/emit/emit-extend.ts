// The `include:` and `extend:` blocks of an SLS file.
import type { SlsNode, StateNode } from '../../dsl/ir.ts'
import { condJinja } from './jinja-expr.ts'
import { type EmitOptions, emitYaml, type YamlNode } from './yaml.ts'

/**
 * `include:` in the order given; an include with a condition is wrapped in a Jinja `if` (and so is the key,
 * when every include has one: Salt refuses an empty `include:`), one from another saltenv is `- env: name`.
 */
export function includeBlock(
  names: readonly string[],
  node: SlsNode | undefined,
  options: EmitOptions,
): string {
  const extra = node?.includeOptions
  if (extra === undefined) return emitYaml({ include: [...names] }, options)
  const lines: string[] = []
  const conditions: string[] = []
  // a name listed again (a requisite needs an SLS the author includes under a condition) is unconditional,
  // at the author's place
  const seen = new Set<string>()
  const again = new Set(names.filter((name) => seen.has(name) || !seen.add(name)))
  const done = new Set<string>()
  for (const name of names) {
    if (done.has(name)) continue
    done.add(name)
    const saltenv = extra[name]?.saltenv
    const when = again.has(name) ? undefined : extra[name]?.when
    const item: YamlNode = saltenv === undefined ? name : { [saltenv]: name }
    const text = emitYaml([item], options).trimEnd().replace(/^/gm, '  ')
    if (when === undefined) {
      lines.push(text)
      continue
    }
    const test = condJinja(when)
    conditions.push(`(${test})`)
    lines.push(`{% if ${test} %}`, text, '{% endif %}')
  }
  const always = conditions.length < done.size
  const head = always ? ['include:'] : [`{% if ${conditions.join(' or ')} %}`, 'include:']
  return `${[...head, ...lines, ...(always ? [] : ['{% endif %}'])].join('\n')}\n`
}

/** `extend:`: per ID and module, the arguments and requisites each extend entry adds, in order. */
export function extendBlock(
  entries: readonly StateNode[],
  items: (s: StateNode) => [string, YamlNode][],
  options: EmitOptions,
): string {
  const byId: Record<string, Record<string, YamlNode[]>> = Object.create(null)
  for (const s of entries) {
    const modules = byId[s.id] ?? (Object.create(null) as Record<string, YamlNode[]>)
    byId[s.id] = modules
    const list = modules[s.module] ?? []
    modules[s.module] = list
    for (const [key, value] of items(s)) list.push({ [key]: value })
  }
  return emitYaml({ extend: byId }, options)
}
