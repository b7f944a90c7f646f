import type { StateHandle } from './handle.ts'
import { callSite } from './origin.ts'
import { declareState } from './state.ts'

/** How `dsl apply` treats this config's trees on a machine. */
export interface ApplyPolicy {
  /** When an apply fails, apply the previous generation again (as `--rollback-on-failure`). */
  readonly rollbackOnFailure?: boolean
  /**
   * Apply only trees built from a clean work tree whose commit is on `branch` (e.g. `main`): a change
   * must be committed and merged before it reaches a machine.
   */
  readonly approval?: { readonly branch: string }
}

/** The marker IDs `applyPolicy()` leaves in the tree (the machine side reads them from the manifest). */
export const APPLY_POLICY_PREFIX = 'dsl apply policy: '

/**
 * Sets how `dsl apply` treats this config on every machine. Declared in any SLS.
 * @example
 * applyPolicy({ rollbackOnFailure: true, approval: { branch: 'main' } })
 * // dsl apply policy: rollback-on-failure:
 * //   test.nop: []
 * // dsl apply policy: approval branch=main:
 * //   test.nop: []
 */
export function applyPolicy(policy: ApplyPolicy): void {
  const origin = callSite(applyPolicy)
  const marker = (what: string): StateHandle<'test'> =>
    declareState({
      module: 'test',
      fun: 'nop',
      id: `${APPLY_POLICY_PREFIX}${what}`,
      args: {},
      options: {},
      origin,
    })
  if (policy.rollbackOnFailure === true) marker('rollback-on-failure')
  if (policy.approval !== undefined) marker(`approval branch=${policy.approval.branch}`)
}
