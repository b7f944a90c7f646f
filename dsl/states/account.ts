import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'

export interface UserOptions extends CommonOptions {
  /** `present` (default) or `absent`. */
  readonly ensure?: 'present' | 'absent'
  readonly uid?: number
  readonly gid?: number | string
  readonly home?: string
  readonly shell?: string
  readonly fullname?: string
  readonly groups?: readonly string[]
  /** Keep groups the user is in but that are not listed. */
  readonly remove_groups?: boolean
  readonly createhome?: boolean
  readonly system?: boolean
  /** With `absent`: also remove the home directory. */
  readonly purge?: boolean
}

/**
 * A local user account.
 * @example
 * user('alice', { shell: '/bin/zsh', groups: ['sudo'] })
 * // alice:
 * //   user.present:
 * //     - shell: /bin/zsh
 * //     - groups:
 * //       - sudo
 */
export function user(name: string, options: UserOptions = {}): StateHandle<'user'> {
  const origin = callSite(user)
  const { own, common } = splitOptions(options)
  const { ensure = 'present', ...rest } = own
  return declareState({
    module: 'user',
    fun: ensure,
    id: stateId(name, common),
    args: { name, ...rest },
    options: common,
    origin,
  })
}

export interface GroupOptions extends CommonOptions {
  readonly ensure?: 'present' | 'absent'
  readonly gid?: number
  readonly members?: readonly string[]
  readonly addusers?: readonly string[]
  readonly system?: boolean
}

/**
 * A local group.
 * @example
 * group('docker', { addusers: ['alice'] })
 * // docker:
 * //   group.present:
 * //     - addusers:
 * //       - alice
 */
export function group(name: string, options: GroupOptions = {}): StateHandle<'group'> {
  const origin = callSite(group)
  const { own, common } = splitOptions(options)
  const { ensure = 'present', ...rest } = own
  return declareState({
    module: 'group',
    fun: ensure,
    id: stateId(name, common),
    args: { name, ...rest },
    options: common,
    origin,
  })
}
