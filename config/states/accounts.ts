/** The accounts of the machine's users (those whose `users/<name>` layer it merges) and their directories. */
import { file, type StateHandle, sls, state, when } from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'
import { hasAccount, primaryGroup } from './helpers.ts'

/** Directories under each home, made when `user.create_directories` is on. */
export const HOME_DIRECTORIES = ['Projects', '.local/bin', '.config', '.cache'] as const

const accounts = new Map<string, StateHandle>()

/** The `user.present` state of `name` (declared by `baseAccounts`). */
export function accountOf(name: string): StateHandle {
  const handle = accounts.get(name)
  if (handle === undefined) throw new Error(`no account state for '${name}': add it to the users list`)
  return handle
}

/** Declares `base.accounts` for every user the inventory can put on a machine. */
export function declareAccounts(users: readonly string[]) {
  return sls('base.accounts', () => {
    for (const name of users) {
      const a = pillar.accounts[name]!
      when(hasAccount(name), () => {
        const account = state('user.present', {
          id: `account ${name}`,
          name,
          fullname: a.fullname,
          shell: a.shell,
          optional_groups: a.groups,
          remove_groups: false,
          createhome: true,
        })
        accounts.set(name, account)
        when(pillar.user.create_directories, () => {
          for (const dir of HOME_DIRECTORIES) {
            file(`~${name}/${dir}`, {
              ensure: 'directory',
              user: name,
              group: primaryGroup(name),
              mode: '0755',
              makedirs: true,
              require: [account],
            })
          }
        })
      })
    }
  })
}
