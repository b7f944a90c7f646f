// One SLS's states as every machine's render has them, merged into one list for the TypeScript: a state all
// machines have alike is plain; one whose values differ per machine takes them per `os` grain (byPlatform);
// one only some machines have is declared under when() on their `os` grains. The merged order keeps each
// machine's order (Salt numbers states in the order it renders them).
import { OS_NAMES } from '../dsl/grain-values.ts'
import { PerOs } from './per-os.ts'
import type { LowState } from './sls-source.ts'

const REQUISITE_KEY = /^(prereq|use|listen|require|watch|onchanges|onfail)(_in|_any)?$/

const keyOf = (s: LowState) => `${s.module}|${s.id}`

/** One order of every key that keeps each sequence's order (the first machine's first), or undefined. */
function mergeOrder(seqs: readonly (readonly string[])[]): string[] | undefined {
  const keys = [...new Set(seqs.flat())]
  const before = new Map(keys.map((k) => [k, new Set<string>()]))
  for (const seq of seqs)
    for (let i = 1; i < seq.length; i++) before.get(seq[i] as string)?.add(seq[i - 1] as string)
  const out: string[] = []
  const done = new Set<string>()
  while (out.length < keys.length) {
    const next = keys.find((k) => !done.has(k) && [...(before.get(k) ?? [])].every((p) => done.has(p)))
    if (next === undefined) return undefined
    out.push(next)
    done.add(next)
  }
  return out
}

/**
 * The merged states of one SLS, given each machine's states (`per`, in the order of `machines`) and each
 * machine's `os` grain; else why they cannot be merged.
 */
export function mergeRenders(
  per: readonly (readonly LowState[])[],
  machines: readonly { readonly id: string; readonly os: string }[],
): LowState[] | string {
  const first = per[0] ?? []
  if (per.every((p) => JSON.stringify(p) === JSON.stringify(first))) return [...first]
  const os = machines.map((m) => m.os)
  if (os.includes('') || new Set(os).size !== os.length)
    return 'Salt renders it differently on machines with the same os grain'
  const order = mergeOrder(per.map((p) => p.map(keyOf)))
  if (order === undefined) return 'Salt renders its states in another order per machine'
  const out: LowState[] = []
  for (const key of order) {
    const on = per.flatMap((p, j) => p.filter((s) => keyOf(s) === key).map((s) => ({ j, s })))
    const s0 = (on[0] as { s: LowState }).s
    const keys = JSON.stringify(Object.keys(s0.args))
    if (on.some(({ s }) => s.fun !== s0.fun || JSON.stringify(Object.keys(s.args)) !== keys))
      return `'${s0.id}' (${s0.module}): another function or other arguments per machine`
    const args: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(s0.args)) {
      const values = on.map(({ s }) => s.args[k])
      if (values.every((x) => JSON.stringify(x) === JSON.stringify(v))) args[k] = v
      // a handle is one state on every machine; an order is one value
      else if (REQUISITE_KEY.test(k)) return `'${s0.id}' (${s0.module}): its requisites differ per machine`
      else if (k === 'order') return `'${s0.id}' (${s0.module}): its order differs per machine`
      else args[k] = new PerOs(new Map(on.map(({ j }, i) => [os[j] as string, values[i]])))
    }
    if (on.length === per.length) {
      out.push({ ...s0, args })
      continue
    }
    // byPlatform must cover every machine, those the when() leaves out too (DSL4005)
    if (Object.values(args).some((v) => v instanceof PerOs))
      return `'${s0.id}' (${s0.module}): only some machines have it, and its values differ among them`
    const where = on.map(({ j }) => os[j] as string)
    const unknown = where.find((o) => !(OS_NAMES as readonly string[]).includes(o))
    if (unknown !== undefined)
      return `'${s0.id}' (${s0.module}): only some machines have it, and os '${unknown}' is not one salt-dsl knows`
    out.push({ ...s0, args, on: { machines: on.map(({ j }) => machines[j]?.id as string), os: where } })
  }
  return out
}
