import { type Condition, toCond } from '../expr.ts'
import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { addIssue, session, settledThunk } from '../session.ts'
import { type CommonOptions, declareState, splitOptions } from '../state.ts'
import { type Content, fileArgs } from './file.ts'

export type DotfileSpec = CommonOptions &
  Content & {
    /** The owner; the file goes to `~user/<path>` (Salt expands `~` when it applies). */
    readonly user: string
    readonly group?: string
    readonly mode?: string
    /**
     * `copy` (default) writes the file in place; `symlink` keeps it in `~user/.dotfiles/` and links it.
     */
    readonly as?: 'copy' | 'symlink'
    /**
     * Keep what was there before the first change, as `<path>.pre-dsl` next to it (default `true`); a
     * condition (e.g. `pillar.user.backup_existing_configs`) decides when Salt renders the SLS (copy mode).
     */
    readonly backup?: boolean | Condition
  }

/** The suffix of a dotfile's backup: the file that was there before salt-dsl first changed it. */
export const BACKUP_SUFFIX = '.pre-dsl'

/**
 * A file in a user's home, written in place or linked from `~/.dotfiles`, with a backup of what was there.
 * @example
 * dotfile('.gitconfig', { user: 'alice', source: 'files/gitconfig', template: 'jinja', context: { email } })
 * // ~alice/.gitconfig.pre-dsl:                 (only when ~alice/.gitconfig exists and is about to change)
 * //   file.copy:
 * //     - source: ~alice/.gitconfig
 * //     - prereq:
 * //       - file: ~alice/.gitconfig
 * // ~alice/.gitconfig:
 * //   file.managed:
 * //     - source: salt://files/gitconfig
 * //     - template: jinja
 * //     ...
 */
export function dotfile(path: string, spec: DotfileSpec): StateHandle<'file'> {
  const origin = callSite(dotfile)
  const { own, common } = splitOptions(spec)
  const { user, group = user, mode = '0644', as = 'copy', backup = true, ...content } = own
  const home = `~${user}`
  const clean = path.replace(/^\/+/, '')
  const target = `${home}/${clean}`
  const { args } = fileArgs(content as Record<string, unknown>, origin)
  const owned = { user, group, mode, makedirs: true }
  if (as === 'symlink') {
    const inRepo = `.dotfiles/${clean.replace(/^\./, '')}`
    const stored = `${home}/${inRepo}`
    const body = declareState({
      module: 'file',
      fun: 'managed',
      id: stored,
      args: { name: stored, ...args, ...owned },
      options: {},
      origin,
    })
    // Salt expands `~` in the link's name but not in its target or backup name: both are written relative
    const up = '../'.repeat(clean.split('/').length - 1)
    const base = clean.split('/').pop() ?? clean
    const link = { name: target, target: `${up}${inRepo}`, user, group, makedirs: true }
    if (typeof backup !== 'boolean') {
      addIssue(
        'DSL1011',
        `a conditional backup needs as: 'copy' ('${target}')`,
        origin,
        'pass backup: true or false',
      )
    }
    const linkArgs = backup === true ? { ...link, backupname: `${base}${BACKUP_SUFFIX}` } : link
    const options = { ...common, require: [body, ...asList(common.require)] }
    return declareState({
      module: 'file',
      fun: 'symlink',
      id: common.id ?? target,
      args: linkArgs,
      options,
      origin,
    })
  }
  const id = common.id ?? target
  if (backup !== false) {
    const when = session().when
    if (backup !== true) when.push(toCond(backup))
    const copyArgs = { name: `${target}${BACKUP_SUFFIX}`, source: target, force: false, user, group }
    const guard = {
      onlyif: `test -f ${shellPath(target)}`,
      unless: `test -e ${shellPath(target + BACKUP_SUFFIX)}`,
    }
    declareState({
      module: 'file',
      fun: 'copy',
      id: `${id}${BACKUP_SUFFIX}`,
      args: { ...copyArgs, ...guard },
      options: { prereq: [settledThunk(() => handle)] },
      origin,
    })
    if (backup !== true) when.pop()
  }
  const handle = declareState({
    module: 'file',
    fun: 'managed',
    id,
    args: { name: target, ...args, ...owned },
    options: common,
    origin,
  })
  return handle
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]
}

/** Quotes a `~user/...` path for sh, leaving the tilde prefix (up to the first `/`) for the shell to expand. */
function shellPath(path: string): string {
  const slash = path.indexOf('/') + 1
  return `${path.slice(0, slash)}'${path.slice(slash).replace(/'/g, `'\\''`)}'`
}
