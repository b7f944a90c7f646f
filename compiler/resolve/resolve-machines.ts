/**
 * Stage 4, resolve: for every machine of the inventory, the pillar layers its pillar top file selects, their
 * merge as Salt computes it, and the SLS its state top file selects.
 */
import type { LayerNode, MachineNode, PillarProgram, Program, TopEntry } from '../../dsl/ir.ts'
import type { StageResult } from '../diagnostics.ts'
import { type Data, smartMerge } from './merge.ts'
import type { Minion } from './target.ts'
import { assumedGrains, layerSls, pillarTopEntries, selectSls, stateTopEntries } from './tops.ts'

/** One minion as the compiler predicts Salt sees it. */
export interface ResolvedMinion {
  readonly id: string
  /** The inventory entry (absent for an unregistered minion). */
  readonly machine?: MachineNode
  readonly grains: Minion['grains']
  /** The layers merged into its pillar, in order. */
  readonly layers: readonly LayerNode[]
  readonly pillar: { readonly [key: string]: Data }
  /** What `state.show_top` lists for it. */
  readonly sls: readonly string[]
}

export interface Resolution {
  readonly program: Program
  readonly layers: ReadonlyMap<string, LayerNode>
  readonly pillarTop: readonly TopEntry[]
  readonly stateTop: readonly TopEntry[]
  readonly mergeLists: boolean
  readonly machines: readonly ResolvedMinion[]
}

export interface ResolveOptions {
  /** Overrides the inventory's `pillarMergeLists`. */
  readonly mergeLists?: boolean
}

const EMPTY: PillarProgram = { schema: undefined, layers: [], profiles: [], inventory: undefined }

/** The layers by path, with each profile's `features` as the layer `profiles/<name>`. */
export function effectiveLayers(p: PillarProgram, mergeLists: boolean): Map<string, LayerNode> {
  const layers = new Map(p.layers.map((l) => [l.path, l]))
  for (const prof of p.profiles) {
    if (prof.features === undefined) continue
    const path = `profiles/${prof.name}`
    const own = layers.get(path)
    const features = { features: prof.features } as { [key: string]: Data }
    const data =
      own === undefined ? features : smartMerge(own.data as { [key: string]: Data }, features, mergeLists)
    layers.set(path, { kind: 'layer', path, data, origin: own?.origin ?? prof.origin })
  }
  return layers
}

/** Merges layers in order, as Salt's pillar compiler does. */
export function resolvePillar(layers: readonly LayerNode[], mergeLists: boolean): { [key: string]: Data } {
  let pillar: { readonly [key: string]: Data } = {}
  for (const l of layers) pillar = smartMerge(pillar, l.data as { [key: string]: Data }, mergeLists)
  return pillar as { [key: string]: Data }
}

/** Predicts one minion: by id and grains, registered or not. */
export function resolveMinion(
  r: Omit<Resolution, 'machines'>,
  id: string,
  grains: Minion['grains'],
): ResolvedMinion {
  const minion: Minion = { id, grains }
  const bySls = new Map([...r.layers.values()].map((l) => [layerSls(l.path), l]))
  const layers = selectSls(r.pillarTop, minion, true).flatMap((name) => bySls.get(name) ?? [])
  const machine = r.program.pillar?.inventory?.machines.find((m) => m.id === id)
  return {
    id,
    ...(machine ? { machine } : {}),
    grains,
    layers,
    pillar: resolvePillar(layers, r.mergeLists),
    sls: selectSls(r.stateTop, minion, false),
  }
}

/** Resolves every machine of the inventory (diagnostics come from `checkMachines`). */
export function resolveMachines(program: Program, options: ResolveOptions = {}): StageResult<Resolution> {
  const p = program.pillar ?? EMPTY
  const mergeLists = options.mergeLists ?? p.inventory?.mergeLists ?? false
  const layers = effectiveLayers(p, mergeLists)
  const base = {
    program,
    layers,
    pillarTop: pillarTopEntries(p, layers),
    stateTop: stateTopEntries(program),
    mergeLists,
  }
  const machines = (p.inventory?.machines ?? []).map((m) => resolveMinion(base, m.id, assumedGrains(m)))
  return { value: { ...base, machines }, diagnostics: [] }
}
