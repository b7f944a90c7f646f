/**
 * The pillar and state top files generated from the inventory, profiles and layers, as ordered entries,
 * and the SLS list Salt selects from them for one minion.
 */
import type {
  LayerNode,
  MachineNode,
  Origin,
  PillarProgram,
  Program,
  Target,
  TopEntry,
} from '../../dsl/ir.ts'
import { PLATFORM_GRAINS, PLATFORMS, type Platform } from '../../dsl/platform.ts'
import { type Minion, targetMatches } from './target.ts'

/** `environments/work` → `environments.work`. */
export const layerSls = (path: string): string => path.replace('/', '.')

const NO_ORIGIN: Origin = { file: '<inventory>', line: 0, column: 0 }

function entry(target: Target, sls: readonly string[], origin: Origin): TopEntry {
  return { kind: 'top', target, sls, origin }
}

/** `L@<members> or ( G@dsl:<grain>:<value> and not L@<registered> )`, plus the onboarding default. */
function groupTarget(
  members: readonly string[],
  grain: string,
  value: string,
  registered: readonly string[],
  isDefault: boolean,
): Target {
  const unregistered = registered.length > 0 ? ` and not L@${registered.join(',')}` : ''
  const parts: string[] = []
  if (members.length > 0) parts.push(`L@${members.join(',')}`)
  parts.push(`( G@dsl:${grain}:${value}${unregistered} )`)
  if (isDefault) parts.push(`( not G@dsl:${grain}:*${unregistered} )`)
  return { match: 'compound', expression: parts.join(' or ') }
}

function names(layers: ReadonlyMap<string, LayerNode>, kind: string): string[] {
  return [...layers.keys()].filter((p) => p.startsWith(`${kind}/`)).map((p) => p.slice(kind.length + 1))
}

/** Pillar top entries in precedence order: defaults, profiles, environments, platforms, machines (+ users). */
export function pillarTopEntries(p: PillarProgram, layers: ReadonlyMap<string, LayerNode>): TopEntry[] {
  const inv = p.inventory
  const origin = inv?.origin ?? NO_ORIGIN
  const machines = inv?.machines ?? []
  const registered = machines.map((m) => m.id)
  const out: TopEntry[] = []
  const defaults = names(layers, 'defaults').map((n) => `defaults.${n}`)
  if (defaults.length > 0) out.push(entry({ match: 'glob', pattern: '*' }, defaults, origin))
  for (const [kind, grain, field] of [
    ['profiles', 'profile', 'profile'],
    ['environments', 'environment', 'environment'],
  ] as const) {
    for (const name of names(layers, kind)) {
      const members = machines.filter((m) => m[field] === name).map((m) => m.id)
      const target = groupTarget(members, grain, name, registered, inv?.onboarding[field] === name)
      out.push(entry(target, [`${kind}.${name}`], origin))
    }
  }
  for (const platform of PLATFORMS) {
    if (!layers.has(`platforms/${platform}`)) continue
    out.push(
      entry(
        { match: 'grain', grain: 'os', value: PLATFORM_GRAINS[platform].os },
        [`platforms.${platform}`],
        origin,
      ),
    )
  }
  for (const m of machines) {
    const sls = machineLayers(m)
      .filter((path) => layers.has(path))
      .map(layerSls)
    if (sls.length > 0) out.push(entry({ match: 'glob', pattern: m.id }, sls, m.origin))
  }
  const users = names(layers, 'users').filter((u) => u !== 'default')
  const unregistered = registered.length > 0 ? ` and not L@${registered.join(',')}` : ''
  if (layers.has('users/default')) {
    out.push(entry({ match: 'compound', expression: `*${unregistered}` }, ['users.default'], origin))
  }
  for (const u of users) {
    out.push(
      entry({ match: 'compound', expression: `G@dsl:users:${u}${unregistered}` }, [`users.${u}`], origin),
    )
  }
  return out
}

/** The machine's own layers: its machine layer, then `users/default`, then its users in order. */
function machineLayers(m: MachineNode): string[] {
  return [`machines/${m.id}`, 'users/default', ...m.users.map((u) => `users/${u}`)]
}

/** The state top: the config's own `top()` entries, then one entry per profile. */
export function stateTopEntries(program: Program): TopEntry[] {
  const p = program.pillar
  const out: TopEntry[] = [...program.top]
  if (p === undefined) return out
  const machines = p.inventory?.machines ?? []
  const registered = machines.map((m) => m.id)
  for (const prof of p.profiles) {
    if (prof.sls.length === 0) continue
    const members = machines.filter((m) => m.profile === prof.name).map((m) => m.id)
    const target = groupTarget(
      members,
      'profile',
      prof.name,
      registered,
      p.inventory?.onboarding.profile === prof.name,
    )
    out.push(entry(target, prof.sls, prof.origin))
  }
  return out
}

const targetKey = (t: Target) =>
  t.match === 'glob' ? t.pattern : t.match === 'grain' ? `${t.grain}:${t.value}` : t.expression

/** Entries as the emitted top file holds them: one key per target, in first-seen order. */
export function groupTop(entries: readonly TopEntry[]): { target: Target; sls: string[] }[] {
  const byKey = new Map<string, { target: Target; sls: string[]; seen: Set<string> }>()
  for (const e of entries) {
    const key = targetKey(e.target)
    let group = byKey.get(key)
    if (group === undefined) {
      group = { target: e.target, sls: [], seen: new Set() }
      byKey.set(key, group)
    }
    for (const name of e.sls) {
      if (group.seen.has(name)) continue
      group.seen.add(name)
      group.sls.push(name)
    }
  }
  return [...byKey.values()].map(({ target, sls }) => ({ target, sls }))
}

/** Each entry list's groups (every machine selects from the same lists). */
const grouped = new WeakMap<readonly TopEntry[], ReturnType<typeof groupTop>>()

/**
 * The SLS Salt selects for `m`: matching entries in order. The pillar top drops repeats (`dedupe`); the
 * state top keeps them, as `state.show_top` does.
 */
export function selectSls(entries: readonly TopEntry[], m: Minion, dedupe: boolean): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  let groups = grouped.get(entries)
  if (groups === undefined) {
    groups = groupTop(entries)
    grouped.set(entries, groups)
  }
  for (const group of groups) {
    if (!targetMatches(group.target, m)) continue
    for (const name of group.sls) {
      if (dedupe && seen.has(name)) continue
      seen.add(name)
      out.push(name)
    }
  }
  return out
}

/** The grains the compiler assumes for a registered machine (platform identity + its own + `dsl:`). */
export function assumedGrains(m: MachineNode): Minion['grains'] {
  const platform = PLATFORM_GRAINS[m.platform as Platform] ?? {}
  const dsl = { environment: m.environment, profile: m.profile, users: [...m.users] }
  return { ...platform, ...(m.grains as Minion['grains']), dsl }
}
