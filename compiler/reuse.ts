// What a watch keeps from one compile to the next (compile.ts imports only the type, so a one-shot build
// does not load this).
import { EmitCache } from './emit/emit-tree.ts'
import { type GraphCache, newGraphCache } from './graph/build-graph.ts'
import type { FactsCache } from './resolve/resolve.ts'

/** Caches a watch keeps from one compile to the next. */
export interface Reuse {
  readonly graph: GraphCache
  readonly resolve: FactsCache
  readonly emit: EmitCache
  /** The config-tree files last read, by absolute path. */
  readonly assets: Map<string, Uint8Array>
}

export function newReuse(): Reuse {
  return {
    graph: newGraphCache(),
    resolve: { states: [], facts: [], when: { graph: undefined, found: [] } },
    emit: new EmitCache(),
    assets: new Map(),
  }
}
