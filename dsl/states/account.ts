import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface UserOwn {
  /** The user id (the next free one when the user is created without it). */
  readonly uid?: Val<number>
  /** The primary group: a name or a gid. */
  readonly gid?: Val<number | string>
  readonly home?: Val<string>
  readonly shell?: Val<string>
  readonly fullname?: Val<string>
  /** Groups the user must be in (with `remove_groups`, the only ones). */
  readonly groups?: Val<readonly string[]>
  /** Groups the user is put in only where they exist. */
  readonly optional_groups?: Val<readonly string[]>
  /** Remove the user from groups not listed in `groups` (Salt's default: true). */
  readonly remove_groups?: Val<boolean>
  readonly createhome?: Val<boolean>
  readonly system?: Val<boolean>
  /** The password hash (or, with `hash_password`, the clear-text password); keep it in pillar. */
  readonly password?: Val<string>
  readonly hash_password?: Val<boolean>
  readonly enforce_password?: Val<boolean>
  /** The date the account expires: days since 1970-01-01, or a date string (`chage -E`). */
  readonly expire?: Val<number | string>
  /** The date of the last password change, days since 1970-01-01 (`chage -d`). */
  readonly date?: Val<number | string>
  readonly mindays?: Val<number>
  readonly maxdays?: Val<number>
  readonly inactdays?: Val<number>
  readonly warndays?: Val<number>
  /** Whether a group named as the user is created (the default is the distribution's). */
  readonly usergroup?: Val<boolean>
  readonly password_lock?: Val<boolean>
}

/** `user()` with `ensure: 'present'` (the default): `user.present`'s arguments. */
export type UserPresentOptions = CommonOptions &
  UserOwn & { readonly ensure?: 'present' } & SaltArgs<'user.present', UserOwn>

/** `user()` with `ensure: 'absent'`: `user.absent`'s arguments (`purge` also removes the home). */
export type UserAbsentOptions = CommonOptions & { readonly ensure: 'absent' } & SaltArgs<'user.absent'>

export type UserOptions = UserPresentOptions | UserAbsentOptions

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

interface GroupOwn {
  readonly gid?: Val<number>
  /** Exactly these members (replaces `addusers` / `delusers`). */
  readonly members?: Val<readonly string[]>
  readonly addusers?: Val<readonly string[]>
  readonly delusers?: Val<readonly string[]>
  readonly system?: Val<boolean>
}

/** `group()` with `ensure: 'present'` (the default): `group.present`'s arguments. */
export type GroupPresentOptions = CommonOptions &
  GroupOwn & { readonly ensure?: 'present' } & SaltArgs<'group.present', GroupOwn>

/** `group()` with `ensure: 'absent'`: `group.absent`'s arguments. */
export type GroupAbsentOptions = CommonOptions & { readonly ensure: 'absent' } & SaltArgs<'group.absent'>

export type GroupOptions = GroupPresentOptions | GroupAbsentOptions

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
