import { APPLY_POLICY_PREFIX } from '../dsl/apply-policy.ts'
import { LOCAL_EDIT_PREFIX, type LocalEditPolicy } from '../dsl/local-edit.ts'
import { MOVED_PREFIX } from '../dsl/moved.ts'
import { PRUNE_POLICY_PREFIX } from '../dsl/prune-policy.ts'

/** What the config tells the machine side through marker states (`test.nop` IDs in the manifest). */
export interface Markers {
  /** Old IDs that `moved()` says were renamed: never pruned. */
  readonly moved: ReadonlySet<string>
  readonly prune: { readonly files: boolean; readonly packages: boolean }
  /** Per state ID: what to do when the user edited its file. */
  readonly localEdit: ReadonlyMap<string, LocalEditPolicy>
  /** `applyPolicy({ rollbackOnFailure: true })`. */
  readonly rollbackOnFailure: boolean
  /** `applyPolicy({ approval: { branch } })`: the branch an applied commit must be on. */
  readonly approvalBranch?: string
}

export const isMarker = (id: string): boolean =>
  id.startsWith(MOVED_PREFIX) ||
  id.startsWith(PRUNE_POLICY_PREFIX) ||
  id.startsWith(LOCAL_EDIT_PREFIX) ||
  id.startsWith(APPLY_POLICY_PREFIX)

/** Reads the markers among a tree's state IDs. */
export function readMarkers(ids: Iterable<string>): Markers {
  const moved = new Set<string>()
  const prune = { files: true, packages: false }
  const localEdit = new Map<string, LocalEditPolicy>()
  let rollbackOnFailure = false
  let approvalBranch: string | undefined
  for (const id of ids) {
    if (id === `${APPLY_POLICY_PREFIX}rollback-on-failure`) rollbackOnFailure = true
    const approval = id.startsWith(`${APPLY_POLICY_PREFIX}approval branch=`)
    if (approval) approvalBranch = id.slice(`${APPLY_POLICY_PREFIX}approval branch=`.length)
    if (id.startsWith(MOVED_PREFIX)) moved.add(id.slice(MOVED_PREFIX.length))
    else if (id.startsWith(PRUNE_POLICY_PREFIX))
      for (const pair of id.slice(PRUNE_POLICY_PREFIX.length).split(',')) {
        const [key, value] = pair.split('=')
        if (key === 'files' || key === 'packages') prune[key] = value === 'true'
      }
    else if (id.startsWith(LOCAL_EDIT_PREFIX)) {
      const rest = id.slice(LOCAL_EDIT_PREFIX.length)
      const space = rest.indexOf(' ')
      const policy = rest.slice(0, space)
      if (policy === 'keep' || policy === 'overwrite') localEdit.set(rest.slice(space + 1), policy)
    }
  }
  return { moved, prune, localEdit, rollbackOnFailure, ...(approvalBranch ? { approvalBranch } : {}) }
}
