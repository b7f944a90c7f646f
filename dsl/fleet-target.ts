/**
 * A fleet target as operators write it (`profile=work`, `machine=a,machine=b`, `*`): the machines of the
 * inventory it selects. One grammar for `dsl apply --target`, the config's operators and the master's ACL,
 * so a target always means machines of the inventory and never a minion the inventory does not name.
 */

/** What a target term may test. */
export const TARGET_KEYS = ['machine', 'profile', 'environment', 'platform', 'via'] as const
export type TargetKey = (typeof TARGET_KEYS)[number]

/** The fields of a machine a target reads. */
export interface TargetableMachine {
  readonly id: string
  readonly profile: string
  readonly environment: string
  readonly platform: string
  readonly via?: string
}

export type TargetTerm = { readonly key: TargetKey; readonly value: string } | { readonly key: '*' }

/** The terms of a target (any of them selects a machine), or why it is not one. */
export function parseTarget(text: string): { terms: TargetTerm[] } | { problem: string } {
  const terms: TargetTerm[] = []
  for (const raw of text.split(',')) {
    const part = raw.trim()
    if (part === '*') {
      terms.push({ key: '*' })
      continue
    }
    const eq = part.indexOf('=')
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (eq < 0 || value === '' || !(TARGET_KEYS as readonly string[]).includes(key))
      return {
        problem: `'${part}' is not a target term: write KEY=VALUE with KEY one of ${TARGET_KEYS.join(', ')}, or *`,
      }
    terms.push({ key: key as TargetKey, value })
  }
  return { terms }
}

/** The machines a parsed target selects, in inventory order. */
export function selectTargets<M extends TargetableMachine>(
  machines: readonly M[],
  terms: readonly TargetTerm[],
): M[] {
  const field = (m: M, key: TargetKey) =>
    key === 'machine' ? m.id : key === 'via' ? (m.via ?? 'local') : m[key]
  return machines.filter((m) => terms.some((t) => t.key === '*' || field(m, t.key) === t.value))
}
