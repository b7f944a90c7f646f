/** The resolve stage's checks: every machine's merged pillar against the schema, and per-platform coverage. */

import type { Expr, LayerNode, Origin, StateNode, Value } from '../../dsl/ir.ts'
import { isExpr } from '../../dsl/ir.ts'
import { PLATFORM_GRAINS, PLATFORMS, type Platform } from '../../dsl/platform.ts'
import { caseGrain, PLATFORM_GRAIN_KEYS, pickCase } from '../../dsl/platform-match.ts'
import { type Diagnostic, error, warning } from '../diagnostics.ts'
import { changedSince, type GraphDelta } from '../graph/build-graph.ts'
import { keyOrigin } from './key-origins.ts'
import { type Data, getPath, isDict } from './merge.ts'
import { type Resolution, type ResolvedMinion, resolveMinion } from './resolve-machines.ts'

const dotted = (path: readonly (string | number)[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[')

/** The layers that set `path` (or replaced a parent of it), in merge order. */
export function settersOf(m: ResolvedMinion, path: readonly (string | number)[]): LayerNode[] {
  return m.layers.filter((l) => {
    for (let n = path.length; n > 0; n--) {
      const v = getPath(l.data as Data, path.slice(0, n))
      if (v !== undefined) return n === path.length || !isDict(v)
    }
    return false
  })
}

/** Where a layer sets `path`: the key inside the layer() call. */
export const layerKeyOrigin = (l: LayerNode, path: readonly (string | number)[]): Origin =>
  keyOrigin(l.origin, 1, path)

/** Where the inventory declares machine `id`. */
export const machineOrigin = (m: ResolvedMinion): Origin | undefined =>
  m.machine && keyOrigin(m.machine.origin, 0, ['machines', m.id])

/** Schema issues of every machine; identical findings on several machines become one diagnostic. */
export function checkSchema(r: Resolution): Diagnostic[] {
  const schema = r.program.pillar?.schema
  if (schema === undefined) return []
  const found = new Map<string, { d: Diagnostic; machines: string[] }>()
  for (const m of r.machines) {
    for (const issue of schema.validate(m.pillar)) {
      const setters = settersOf(m, issue.path)
      const last = setters.at(-1)
      const key = dotted(issue.path)
      let d: Diagnostic
      if (issue.unknownKey) {
        d = error('DSL4003', `unknown pillar key '${key}'`, last && layerKeyOrigin(last, issue.path), {
          hint: 'the pillar schema has no such key: fix the spelling or add it to pillarSchema()',
        })
      } else if (getPath(m.pillar, issue.path) === undefined) {
        d = error('DSL4002', `required pillar key '${key}' is missing: ${issue.message}`, machineOrigin(m), {
          hint: `set it in a layer this machine merges (${m.layers.map((l) => l.path).join(', ') || 'none'})`,
        })
      } else {
        const where = last ? ` (set by layer '${last.path}')` : ''
        d = error(
          'DSL4001',
          `invalid pillar value at '${key}'${where}: ${issue.message}`,
          last && layerKeyOrigin(last, issue.path),
          {
            related: setters.slice(0, -1).map((l) => ({
              message: `also set by layer '${l.path}'`,
              origin: layerKeyOrigin(l, issue.path),
            })),
          },
        )
      }
      const id = `${d.code}\0${d.message}\0${JSON.stringify(d.origin)}`
      const entry = found.get(id) ?? { d, machines: [] }
      entry.machines.push(m.id)
      found.set(id, entry)
    }
  }
  return [...found.values()].map(({ d, machines }) => {
    const who =
      machines.length === 1
        ? `machine '${machines[0]}'`
        : `machines ${machines.map((x) => `'${x}'`).join(', ')}`
    return { ...d, message: `${who}: ${d.message}` }
  })
}

const ADDRESS_HINT = "Salt's pillar.get splits keys on ':'; rename the key"

/**
 * Lookups `pillar.get` cannot address (it splits keys on `:`). A layer key holding `:` is legal pillar data
 * (Salt's own pillar has them, e.g. git's `url.https://.insteadOf`): only a lookup through it is refused.
 */
export function checkAddressable(_r: Resolution, facts: readonly StateFacts[]): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const f of facts) if (f.addressable.length > 0) out.push(...f.addressable)
  return out
}

/** What the resolve checks read of one state: the lookups in its arguments, and its own DSL4004s. */
export interface StateFacts {
  readonly exprs: readonly Expr[]
  readonly addressable: readonly Diagnostic[]
}

const NO_EXPRS: readonly Expr[] = Object.freeze([])
const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([])
const PLAIN: StateFacts = Object.freeze({ exprs: NO_EXPRS, addressable: NO_DIAGNOSTICS })

function factsOf(s: StateNode): StateFacts {
  const list: Expr[] = []
  for (const key in s.args) exprsIn(s.args[key]!, list)
  if (list.length === 0 && s.when.length === 0) return PLAIN
  const exprs = list.length === 0 ? NO_EXPRS : list
  const all = s.when.length === 0 ? exprs : [...exprs, ...s.when.flatMap((c) => condExprs(c))]
  const addressable: Diagnostic[] = []
  for (const e of all) {
    if ((e.kind === 'pillar' || e.kind === 'grain') && e.path.some((k) => k.includes(':'))) {
      addressable.push(
        error(
          'DSL4004',
          `lookup ${e.kind}.${e.path.join('.')} in '${s.id}' has a key containing ':'`,
          s.origin,
          {
            hint: ADDRESS_HINT,
          },
        ),
      )
    }
  }
  return { exprs, addressable: addressable.length === 0 ? NO_DIAGNOSTICS : addressable }
}

/** The facts of the last resolve, by key (watch mode): a node at the same key as then has the same. */
export interface FactsCache {
  states: readonly StateNode[]
  facts: StateFacts[]
  /** The `build` of the graph the facts are of. */
  graph?: number | undefined
  /** The requisite checks' findings (check-when.ts). */
  readonly when: import('./check-when.ts').WhenCache
}

/**
 * Each state's facts, reused from `cache` for a node at the same key as last time; after a graph that
 * says which keys changed (since the one the cache is of), only those are looked at.
 */
export function stateFacts(
  states: readonly StateNode[],
  cache?: FactsCache,
  graph?: GraphDelta,
): readonly StateFacts[] {
  const changed = cache && graph && changedSince(graph, cache.graph)
  if (cache !== undefined && changed !== undefined && cache.facts.length === states.length) {
    for (const k of changed) cache.facts[k] = factsOf(states[k]!)
    cache.states = states
    cache.graph = graph?.build
    return cache.facts
  }
  const facts: StateFacts[] = new Array(states.length)
  const last = cache?.states
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!
    facts[i] = last !== undefined && last[i] === s ? cache!.facts[i]! : factsOf(s)
  }
  if (cache !== undefined) {
    cache.states = states
    cache.facts = facts
    cache.graph = graph?.build
  }
  return facts
}

export function exprsIn(v: Value, into: Expr[] = []): Expr[] {
  if (v === null || typeof v !== 'object') return into
  if (isExpr(v)) {
    into.push(v)
    if (v.kind === 'concat') for (const p of v.parts) if (typeof p !== 'string') exprsIn(p, into)
    if (v.kind === 'quoted') exprsIn(v.expr, into)
  } else if (Array.isArray(v)) {
    for (const item of v) exprsIn(item, into)
  } else {
    for (const key in v) exprsIn((v as Record<string, Value>)[key]!, into)
  }
  return into
}

type CondLike = import('../../dsl/ir.ts').Cond
function condExprs(c: CondLike): Expr[] {
  if (c.kind === 'not') return condExprs(c.cond)
  if ('conds' in c) return c.conds.flatMap(condExprs)
  return exprsIn(c.expr)
}

const slsSets = new WeakMap<readonly string[], ReadonlySet<string>>()

/** A machine's SLS as a set (a large config's machines select hundreds). */
function slsSet(list: readonly string[]): ReadonlySet<string> {
  let set = slsSets.get(list)
  if (set === undefined) {
    set = new Set(list)
    slsSets.set(list, set)
  }
  return set
}

/** Who receives a state on which platform: every registered machine, and a new machine on each onboarding platform. */
interface Receiver {
  readonly who: string
  readonly platform: string
  readonly sls: ReadonlySet<string>
  /** The grains the compiler assumes for it (what a grain-keyed map is matched against). */
  readonly grains: ResolvedMinion['grains']
}

/** An unregistered machine's id: never a registered one, and never matched by an id in a top file. */
const UNREGISTERED = '__salt-dsl-unregistered__'

function receivers(r: Resolution): Receiver[] {
  const out: Receiver[] = []
  for (const m of r.machines) {
    const platform = m.machine?.platform
    if (platform !== undefined)
      out.push({ who: `machine '${m.id}' runs`, platform, sls: slsSet(m.sls), grains: m.grains })
  }
  const inventory = r.program.pillar?.inventory
  if (inventory === undefined) return out
  const platforms = (inventory.onboarding.platforms ?? PLATFORMS) as readonly Platform[]
  for (const platform of platforms) {
    const m = resolveMinion(r, UNREGISTERED, { ...PLATFORM_GRAINS[platform] })
    if (m.sls.length > 0)
      out.push({ who: 'a new machine may onboard on', platform, sls: slsSet(m.sls), grains: m.grains })
  }
  return out
}

/**
 * A `byPlatform` map must cover the platform of every machine whose top file selects the state's SLS, and of a
 * machine that is not registered yet on each platform the onboarding allows (else Salt would render no value).
 */
export function checkPlatforms(r: Resolution, facts: readonly StateFacts[]): Diagnostic[] {
  const out: Diagnostic[] = []
  const states = r.program.states
  let who: Receiver[] | undefined
  for (let i = 0; i < states.length; i++) {
    const f = facts[i]!
    if (f.exprs.length === 0) continue
    const s = states[i]!
    const maps = f.exprs.filter((e) => e.kind === 'platform')
    for (const e of maps) {
      const covered = new Set(e.cases.map(([p]) => p))
      if (covered.has('default')) continue
      who ??= receivers(r)
      const reported = new Set<string>()
      const byGrain = e.cases.some(([p]) => caseGrain(p) !== undefined)
      for (const m of who) {
        if (!m.sls.has(s.sls) || reported.has(m.who + m.platform)) continue
        if (byGrain ? pickCase(e.cases, m.grains, legacyOs) !== undefined : covered.has(m.platform)) continue
        reported.add(m.who + m.platform)
        const onboarding = m.who.startsWith('a new machine')
        out.push(
          error(
            'DSL4005',
            `byPlatform in '${s.id}' has no value for '${byGrain ? grainsOf(m) : m.platform}', which ${m.who}`,
            s.origin,
            {
              hint:
                (byGrain
                  ? `add its os_family or os, or a default (the map has ${[...covered].join(', ')})`
                  : `add a '${m.platform}' entry or a default (the map has ${[...covered].join(', ') || 'none'})`) +
                (onboarding
                  ? ', or list the platforms new machines onboard on: inventory({ onboarding: { platforms: [...] } })'
                  : ''),
            },
          ),
        )
      }
    }
  }
  return out
}

const legacyOs = (p: string) => PLATFORM_GRAINS[p as Platform]?.os

/** `os_family=RedHat, os=Rocky`: what a grain-keyed map is matched against. */
const grainsOf = (m: Receiver) =>
  PLATFORM_GRAIN_KEYS.filter((g) => m.grains[g] !== undefined)
    .map((g) => `${g}=${String(m.grains[g])}`)
    .join(', ')

/** An environment no layer describes is most likely a typo. */
export function checkEnvironments(r: Resolution): Diagnostic[] {
  return r.machines.flatMap((m) => {
    const env = m.machine?.environment
    if (env === undefined || r.layers.has(`environments/${env}`)) return []
    return [warning('DSL4011', `machine '${m.id}': no layer 'environments/${env}'`, machineOrigin(m))]
  })
}

/** Layers hold data: a lookup or byPlatform inside one has nothing to resolve against. */
export function checkLayerData(r: Resolution): Diagnostic[] {
  return [...r.layers.values()].flatMap((l) =>
    exprsIn(l.data).length === 0
      ? []
      : [
          error('DSL4012', `layer '${l.path}' holds a lookup`, l.origin, {
            hint: 'layers are plain data; give the value itself',
          }),
        ],
  )
}
