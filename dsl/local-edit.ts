import type { StateHandle } from './handle.ts'
import type { Origin } from './ir.ts'
import { callSite } from './origin.ts'
import { declareState } from './state.ts'

/** What `dsl apply` does with a managed file the user edited since the last apply. */
export type LocalEditPolicy = 'keep' | 'overwrite'

/** The marker IDs `onLocalEdit()` leaves in the tree (the machine side reads them from the manifest). */
export const LOCAL_EDIT_PREFIX = 'dsl on local edit: '

/**
 * Sets what an apply does when the file `of` manages (a dotfile) was edited on the machine since the last
 * apply: `keep` (the default) leaves the user's content, `overwrite` writes the config's. The user's
 * version is backed up first in either case.
 * @example
 * onLocalEdit(dotfile('.gitconfig', { user: 'ada', contents }), 'overwrite')
 * // dsl on local edit: overwrite ~ada/.gitconfig:
 * //   test.nop: []
 */
export function onLocalEdit(of: StateHandle, policy: LocalEditPolicy): StateHandle<'test'> {
  return localEditMarker(of, policy, callSite(onLocalEdit))
}

/** The marker itself, at a builder's own call site (`dotfile(…, { onLocalEdit })`). */
export function localEditMarker(
  of: StateHandle,
  policy: LocalEditPolicy,
  origin: Origin,
): StateHandle<'test'> {
  return declareState({
    module: 'test',
    fun: 'nop',
    id: `${LOCAL_EDIT_PREFIX}${policy} ${of.id}`,
    args: {},
    options: {},
    origin,
  })
}
