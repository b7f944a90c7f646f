// Duplicate state IDs per machine: an ID declared in two SLS is Salt's "Detected conflicting IDs" only on
// a machine that renders both (its top file, the includes, the when() conditions it meets).
import type { Cond, StateNode } from '../../dsl/ir.ts'
import { PLATFORM_GRAINS, type Platform } from '../../dsl/platform.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { evalCond, renderedSls } from './predict.ts'
import { type Resolution, type ResolvedMinion, resolveMinion } from './resolve-machines.ts'

/**
 * The IDs two SLS declare (the graph leaves these to this check when there is an inventory) that a
 * machine of the inventory renders twice: one error per pair, naming the machines.
 */
export function checkMachineIds(r: Resolution): Diagnostic[] {
  if (r.machines.length === 0) return []
  const first = new Map<string, StateNode>()
  let repeated: Map<string, StateNode[]> | undefined
  for (const s of r.program.states) {
    if (s.joins !== undefined || s.extends !== undefined || s.external || s.idExpr !== undefined) continue
    const was = first.get(s.id)
    if (was === undefined) {
      first.set(s.id, s)
      continue
    }
    repeated ??= new Map()
    const list = repeated.get(s.id)
    if (list === undefined) repeated.set(s.id, [was, s])
    else list.push(s)
  }
  if (repeated === undefined) return []
  const rendered = new Map<string, Set<string>>()
  const out: Diagnostic[] = []
  const minions = [...r.machines, ...onboarded(r)]
  for (const [id, states] of repeated) {
    const clashes = new Map<string, { a: StateNode; b: StateNode; machines: string[] }>()
    for (const m of minions) {
      let sls = rendered.get(m.id)
      if (sls === undefined) {
        sls = renderedSls(r.program, m.sls)
        rendered.set(m.id, sls)
      }
      const present = states.filter((s) => sls.has(s.sls) && s.when.every((c) => holds(c, m)))
      if (present.length < 2) continue
      const [a, b] = present as [StateNode, StateNode]
      // the same SLS twice is the graph's own error (unless the conditions exclude each other)
      if (a.sls === b.sls) continue
      const key = `${a.key}:${b.key}`
      const entry = clashes.get(key) ?? { a, b, machines: [] }
      entry.machines.push(
        m.machine === undefined ? `(onboarded with profile '${m.id.slice(ONBOARDED.length)}')` : m.id,
      )
      clashes.set(key, entry)
    }
    for (const { a, b, machines } of clashes.values()) {
      const who = describeMachines(machines)
      out.push(
        error('DSL3001', `${who}: duplicate state ID '${id}' (Salt: "Detected conflicting IDs")`, b.origin, {
          related: [{ message: `'${id}' is first declared here (sls ${a.sls})`, origin: a.origin }],
          hint: `${machines.length === 1 ? 'this machine renders' : 'these machines render'} both sls '${a.sls}' and '${b.sls}': give one of them an explicit \`id\``,
        }),
      )
    }
  }
  return out
}

const ONBOARDED = 'dsl-onboarded-'

/** `machine 'a'`, `machines 'a', 'b'`, `a new machine onboarded with profile 'p'`, joined by "and". */
function describeMachines(machines: readonly string[]): string {
  const registered = machines.filter((m) => !m.startsWith('('))
  const fresh = machines.filter((m) => m.startsWith('(')).map((m) => m.slice(1, -1))
  const parts: string[] = []
  if (registered.length > 0)
    parts.push(
      `${registered.length === 1 ? 'machine' : 'machines'} ${registered.map((m) => `'${m}'`).join(', ')}`,
    )
  if (fresh.length > 0) parts.push(`a new machine ${fresh.join(' or ')}`)
  return parts.join(' and ')
}

/**
 * A machine not registered yet, onboarded with each profile (its grains name the profile; the onboarding's
 * environment and first platform): the SLS an unregistered machine may render together.
 */
function onboarded(r: Resolution): ResolvedMinion[] {
  const p = r.program.pillar
  const inventory = p?.inventory
  if (inventory === undefined) return []
  const platform = (inventory.onboarding.platforms?.[0] ?? 'ubuntu') as Platform
  const environment = inventory.onboarding.environment ?? inventory.machines[0]?.environment ?? ''
  return (p?.profiles ?? []).map((profile) =>
    resolveMinion(r, `${ONBOARDED}${profile.name}`, {
      ...PLATFORM_GRAINS[platform],
      dsl: { environment, profile: profile.name, users: [] },
    } as ResolvedMinion['grains']),
  )
}

/** A condition as the machine meets it; one the compiler cannot evaluate (a loop's item) may hold. */
function holds(c: Cond, m: Parameters<typeof evalCond>[1]): boolean {
  return JSON.stringify(c).includes('"kind":"item"') ? true : evalCond(c, m)
}
