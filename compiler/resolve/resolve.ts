/** Stage 4: resolve every machine of the inventory and check what it receives. */
import type { Program } from '../../dsl/ir.ts'
import type { Diagnostic, StageResult } from '../diagnostics.ts'
import type { GraphDelta } from '../graph/build-graph.ts'
import { checkMachineIds } from './check-ids.ts'
import {
  checkAddressable,
  checkEnvironments,
  checkLayerData,
  checkPlatforms,
  checkSchema,
  type FactsCache,
  stateFacts,
} from './check-machines.ts'
import { checkConditionalRequisites } from './check-when.ts'
import { type Resolution, type ResolveOptions, resolveMachines } from './resolve-machines.ts'

export type { FactsCache } from './check-machines.ts'
export { emitPillarTree } from './pillar-tree.ts'
export type { Resolution, ResolvedMinion, ResolveOptions } from './resolve-machines.ts'

/**
 * Merges each machine's pillar and checks it against the schema, the per-platform values its states use,
 * the keys `pillar.get` can address, and requisites into conditional states. Never throws on user error.
 */
export function resolveStage(
  program: Program,
  options: ResolveOptions = {},
  cache?: FactsCache,
  graph?: GraphDelta,
): StageResult<Resolution> {
  const resolved = resolveMachines(program, options)
  const r = resolved.value
  const facts = stateFacts(program.states, cache, graph)
  const diagnostics: Diagnostic[] = [
    ...resolved.diagnostics,
    ...checkLayerData(r),
    ...checkAddressable(r, facts),
    ...checkSchema(r),
    ...checkPlatforms(r, facts),
    ...checkEnvironments(r),
    ...checkConditionalRequisites(program.states, cache?.when, graph, r),
    ...checkMachineIds(r),
  ]
  return { value: r, diagnostics }
}
