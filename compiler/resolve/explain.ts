/** `dsl explain KEY --machine ID`: the merged value of a key and every layer that set it, in merge order. */
import type { Origin } from '../../dsl/ir.ts'
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
