import type { StateHandle } from './handle.ts'
import { callSite } from './origin.ts'
import { declareState } from './state.ts'

/** What an apply undoes of a state the new build no longer has, per kind of state. */
export interface PrunePolicy {
  /** Managed files and symlinks: removed, and a `.pre-dsl` backup put back (default `true`). */
  readonly files?: boolean
  /** Packages: removed with `pkg.removed` (default `false`: a package may be wanted outside the config). */
  readonly packages?: boolean
}

/** The marker IDs `prunePolicy()` leaves in the tree (the machine side reads them from the manifest). */
export const PRUNE_POLICY_PREFIX = 'dsl prune: '

/**
 * Sets what `dsl apply` undoes when a state is gone from the config. Declared in any SLS of the machine.
 * @example
 * prunePolicy({ packages: true })
 * // dsl prune: packages=true:
 * //   test.nop: []
 */
export function prunePolicy(policy: PrunePolicy): StateHandle<'test'> {
  const origin = callSite(prunePolicy)
  const keys = (['files', 'packages'] as const).filter((k) => policy[k] !== undefined)
  return declareState({
    module: 'test',
    fun: 'nop',
    id: `${PRUNE_POLICY_PREFIX}${keys.map((k) => `${k}=${policy[k]}`).join(',')}`,
    args: {},
    options: {},
    origin,
  })
}
