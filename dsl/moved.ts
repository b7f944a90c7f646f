import type { StateHandle } from './handle.ts'
import { callSite } from './origin.ts'
import { declareState } from './state.ts'

/** The ID of the marker `moved()` leaves in the tree; the machine side reads the old ID after it. */
export const MOVED_PREFIX = 'dsl moved from: '

/**
 * Says that the state `oldId` of an earlier build is `to` now (a renamed ID), so an apply neither prunes
 * the old one nor treats the new one as new. It leaves a `test.nop` marker in the SLS (Salt does nothing
 * for it); `dsl plan` and `dsl apply` read it from the manifest.
 * @example
 * const rc = dotfile('.inputrc', { user: 'ada', contents: 'set editing-mode vi\n', id: 'inputrc' })
 * moved('~ada/.inputrc', rc)
 * // dsl moved from: ~ada/.inputrc:
 * //   test.nop:
 * //     - moved_to: inputrc
 */
export function moved(oldId: string, to: StateHandle): StateHandle<'test'> {
  const origin = callSite(moved)
  return declareState({
    module: 'test',
    fun: 'nop',
    id: `${MOVED_PREFIX}${oldId}`,
    args: { moved_to: to.id },
    options: {},
    origin,
  })
}
