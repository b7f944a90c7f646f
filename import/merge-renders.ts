// One SLS's states as every machine's render has them, merged into one list for the TypeScript: a state all
// machines have alike is plain; one whose values differ per machine takes them per `os` grain (byPlatform);
// one only some machines have is declared under when() on their `os` grains; one that is neither (another
// function or other requisites per machine, values differing among only some machines) is written once per
// group of machines, each copy under its when(). Machines sharing an os grain (or with one salt-dsl does not
// know) are told apart by their minion ID instead: when() on grains.id, and a copy per group for values that
// differ among machines of one os (byPlatform still where each os has one value). The merged order keeps each machine's order (Salt numbers states in the order it renders them).
import { OS_NAMES } from '../dsl/grain-values.ts'
import { REQUISITE_KEY } from './cross-sls.ts'
import { PerOs } from './per-os.ts'
import type { LowState } from './sls-source.ts'

const keyOf = (s: LowState) => `${s.module}|${s.id}`

/** One order of every key that keeps each sequence's order (the first machine's first), or undefined. */
export function mergeOrder(seqs: readonly (readonly string[])[]): string[] | undefined {
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

/** The `module|id` each requisite item of `s` names. */
function namedKeys(s: LowState): string[] {
  const out: string[] = []
  for (const [k, v] of Object.entries(s.args))
    if (REQUISITE_KEY.test(k))
      for (const item of (Array.isArray(v) ? v : [v]) as unknown[]) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) continue
        const [entry] = Object.entries(item)
        if (entry !== undefined && typeof entry[1] === 'string') out.push(`${entry[0]}|${entry[1]}`)
      }
  return out
}

/**
 * Why the states `on` (one per machine having it, whose `os` grains are `oses`) cannot be one state with
 * values per os, if they cannot.
 */
function unmergeable(
  on: readonly LowState[],
  oses: readonly string[],
  everyMachine: boolean,
): string | undefined {
  const s0 = on[0] as LowState
  const keys = JSON.stringify(Object.keys(s0.args))
  if (on.some((s) => s.fun !== s0.fun || JSON.stringify(Object.keys(s.args)) !== keys))
    return 'another function or other arguments per machine'
  let differ = false
  for (const [k, v] of Object.entries(s0.args)) {
    if (on.every((s) => JSON.stringify(s.args[k]) === JSON.stringify(v))) continue
    // a handle is one state on every machine; an order is one value
    if (REQUISITE_KEY.test(k)) return 'its requisites differ per machine'
    if (k === 'order') return 'its order differs per machine'
    // byPlatform gives a value per os, which machines sharing one cannot tell apart
    const perOs = new Map<string, string>()
    for (const [i, s] of on.entries()) {
      const [o, value] = [oses[i] as string, JSON.stringify(s.args[k])]
      if ((perOs.get(o) ?? value) !== value) return 'its values differ among machines of one os'
      perOs.set(o, value)
    }
    differ = true
  }
  if (!differ) return undefined
  // byPlatform must cover every machine, those a when() leaves out too (DSL4005)
  if (!everyMachine) return 'only some machines have it, and its values differ among them'
  if (oses.some((o) => !(OS_NAMES as readonly string[]).includes(o)))
    return 'its values differ per machine, and salt-dsl does not know every os'
  return undefined
}

/**
 * The merged states of one SLS, given each machine's states (`per`, in the order of `machines`) and each
 * machine's `os` grain. A state that cannot be one state with values per os (another function, other
 * requisites per machine, values differing among only some machines, or among machines of one os) is
 * written once per group of machines rendering the SLS alike, each copy under when() on their os grains
 * (or minion IDs; Salt takes one ID twice when only one is rendered); so is every state naming such a
 * state or sharing its ID, each copy naming the copy of its own group.
 */
export function mergeRenders(
  per: readonly (readonly LowState[])[],
  machines: readonly { readonly id: string; readonly os: string }[],
): LowState[] {
  const first = per[0] ?? []
  if (per.every((p) => JSON.stringify(p) === JSON.stringify(first))) return [...first]
  const os = machines.map((m) => m.os)
  // machines sharing an os grain (or of one salt-dsl does not know) are told apart by their minion ID
  const byId =
    os.includes('') ||
    new Set(os).size !== os.length ||
    os.some((o) => !(OS_NAMES as readonly string[]).includes(o))
  const order = mergeOrder(per.map((p) => p.map(keyOf)))
  // a key's state on each machine having it
  const onOf = (key: string) =>
    per.flatMap((p, j) => p.filter((s) => keyOf(s) === key).map((s) => ({ j, s })))
  const keys = order ?? [...new Set(per.flat().map(keyOf))]
  const split = new Set<string>()
  for (const key of keys) {
    const on = onOf(key)
    if (
      order === undefined ||
      unmergeable(
        on.map((o) => o.s),
        on.map((o) => os[o.j] as string),
        on.length === per.length,
      ) !== undefined
    )
      split.add(key)
  }
  // what names a state written per group, or shares its ID, is written per group too
  for (let grown = true; grown; ) {
    grown = false
    for (const key of keys) {
      if (split.has(key)) continue
      const on = onOf(key).map((o) => o.s)
      const id = (on[0] as LowState).id
      if (
        on.some((s) => namedKeys(s).some((t) => split.has(t))) ||
        [...split].some((k) => k.endsWith(`|${id}`) && k.slice(k.indexOf('|') + 1) === id)
      ) {
        split.add(key)
        grown = true
      }
    }
  }
  // the groups of machines rendering the SLS alike (a machine rendering none of it is in none)
  const groups: number[][] = []
  for (const [j, p] of per.entries()) {
    if (p.length === 0) continue
    const g = groups.find((x) => JSON.stringify(per[x[0] as number]) === JSON.stringify(p))
    if (g === undefined) groups.push([j])
    else g.push(j)
  }
  const onGroup = (g: readonly number[]) => ({
    machines: g.map((j) => machines[j]?.id as string),
    os: g.map((j) => os[j] as string),
    ...(byId ? { byId: true as const } : {}),
  })
  const out: LowState[] = []
  // every state per group: each group's states in its own order
  if (order === undefined) {
    for (const g of groups) for (const s of per[g[0] as number] ?? []) out.push({ ...s, on: onGroup(g) })
    return out
  }
  for (const key of order) {
    const on = onOf(key)
    if (split.has(key)) {
      for (const g of groups) {
        const s = (per[g[0] as number] ?? []).find((x) => keyOf(x) === key)
        if (s !== undefined) out.push({ ...s, on: onGroup(g) })
      }
      continue
    }
    const s0 = (on[0] as { s: LowState }).s
    const args: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(s0.args)) {
      const values = on.map(({ s }) => s.args[k])
      if (values.every((x) => JSON.stringify(x) === JSON.stringify(v))) args[k] = v
      else args[k] = new PerOs(new Map(on.map(({ j }, i) => [os[j] as string, values[i]])))
    }
    if (on.length === per.length) {
      out.push({ ...s0, args })
      continue
    }
    out.push({ ...s0, args, on: onGroup(on.map(({ j }) => j)) })
  }
  return byGroup(out, split)
}

/**
 * `states` with each run of consecutive copies (states written per group) regrouped by their machines, so
 * that one when() holds a group's run, when each machine keeps its order (Salt numbers states in it).
 */
function byGroup(states: readonly LowState[], split: ReadonlySet<string>): LowState[] {
  const out: LowState[] = []
  const groupOf = (s: LowState) => JSON.stringify(s.on?.machines ?? null)
  for (let i = 0; i < states.length; ) {
    let end = i
    while (end < states.length && split.has(keyOf(states[end] as LowState))) end++
    if (end === i) {
      out.push(states[i] as LowState)
      i++
      continue
    }
    const run = states.slice(i, end)
    const order = [...new Set(run.map(groupOf))]
    const regrouped = order.flatMap((g) => run.filter((s) => groupOf(s) === g))
    const seen = (list: readonly LowState[], m: string) =>
      list
        .filter((s) => s.on?.machines.includes(m))
        .map(keyOf)
        .join('\n')
    const machines = [...new Set(run.flatMap((s) => s.on?.machines ?? []))]
    out.push(...(machines.every((m) => seen(run, m) === seen(regrouped, m)) ? regrouped : run))
    i = end
  }
  return out
}
