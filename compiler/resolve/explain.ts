/** `dsl explain KEY --machine ID`: the merged value of a key and every layer that set it, in merge order. */
import type { Origin } from '../../dsl/ir.ts'
import { closest } from '../../dsl/suggest.ts'
import { layerKeyOrigin, settersOf } from './check-machines.ts'
import { type Data, getPath } from './merge.ts'
import type { ResolvedMinion } from './resolve-machines.ts'

export interface Explanation {
  readonly key: string
  readonly machine: string
  /** The merged value (undefined when no layer sets it). */
  readonly value: Data | undefined
  readonly steps: readonly { readonly layer: string; readonly value: Data; readonly origin: Origin }[]
}

/** `a.b.c` or `a:b:c` → the key path. */
export const parseKey = (key: string): string[] => key.split(/[.:]/).filter((k) => k !== '')

export function explainKey(m: ResolvedMinion, key: string): Explanation {
  const path = parseKey(key)
  const steps = settersOf(m, path).map((l) => {
    let value: Data | undefined
    for (let n = path.length; n > 0 && value === undefined; n--)
      value = getPath(l.data as Data, path.slice(0, n))
    return { layer: l.path, value: value ?? null, origin: layerKeyOrigin(l, path) }
  })
  return { key: path.join('.'), machine: m.id, value: getPath(m.pillar, path), steps }
}

export interface UnknownKey {
  /** The key as given, and the part of it that exists. */
  readonly key: string
  readonly known: string
  /** The whole key with its first unknown segment corrected, when one is close. */
  readonly suggestion?: string
}

/**
 * Whether `key` names pillar data on any machine; if not, where it goes wrong and the nearest key there. A key
 * that some machine has is known even where it is not set: that is an answer, not a mistake.
 */
export function unknownKey(machines: readonly ResolvedMinion[], key: string): UnknownKey | undefined {
  const path = parseKey(key)
  if (machines.some((m) => getPath(m.pillar, path) !== undefined || settersOf(m, path).length > 0))
    return undefined
  let depth = 0
  const keysAt = (n: number) => {
    const names = new Set<string>()
    for (const m of machines) {
      const here = n === 0 ? m.pillar : getPath(m.pillar, path.slice(0, n))
      if (here !== null && typeof here === 'object' && !Array.isArray(here))
        for (const k of Object.keys(here)) names.add(k)
    }
    return names
  }
  while (depth < path.length && keysAt(depth).has(path[depth] ?? '')) depth++
  const near = closest(path[depth] ?? '', keysAt(depth))
  const suggestion =
    near === undefined ? undefined : [...path.slice(0, depth), near, ...path.slice(depth + 1)]
  return {
    key: path.join('.'),
    known: path.slice(0, depth).join('.'),
    ...(suggestion ? { suggestion: suggestion.join('.') } : {}),
  }
}
