import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import { stateIdText } from '../state-id.ts'

export interface GitOptions extends CommonOptions {
  /** Where to clone. */
  readonly target: string
  /** Branch, tag or commit (default: the remote's HEAD). */
  readonly rev?: string
  readonly branch?: string
  readonly user?: string
  readonly depth?: number
  readonly force_reset?: boolean
}

/**
 * A git checkout kept at the latest revision.
 * @example
 * git('https://github.com/tmux-plugins/tpm', { target: '/home/alice/.tmux/plugins/tpm', user: 'alice' })
 * // /home/alice/.tmux/plugins/tpm:
 * //   git.latest:
 * //     - name: https://github.com/tmux-plugins/tpm
 * //     - target: /home/alice/.tmux/plugins/tpm
 * //     - user: alice
 */
export function git(repo: string, options: GitOptions): StateHandle<'git'> {
  const origin = callSite(git)
  const { own, common } = splitOptions(options)
  const id = stateIdText(common.id ?? own.target)
  return declareState({
    module: 'git',
    fun: 'latest',
    id,
    args: { name: repo, ...own },
    options: common,
    origin,
  })
}

export interface PkgrepoOptions extends CommonOptions {
  readonly ensure?: 'managed' | 'absent'
  readonly humanname?: string
  /** apt: the full `deb ...` line. */
  readonly file?: string
  readonly key_url?: string
  readonly signedby?: string
  readonly aptkey?: boolean
  /** dnf/yum: the repository URL. */
  readonly baseurl?: string
  readonly gpgcheck?: boolean | number
  readonly gpgkey?: string
  readonly enabled?: boolean | number
  readonly refresh?: boolean
}

/**
 * A package repository.
 * @example
 * pkgrepo('deb [signed-by=/etc/apt/keyrings/x.gpg] https://example.org/apt stable main', { file: '/etc/apt/sources.list.d/x.list', id: 'x-repo' })
 */
export function pkgrepo(name: string, options: PkgrepoOptions = {}): StateHandle<'pkgrepo'> {
  const origin = callSite(pkgrepo)
  const { own, common } = splitOptions(options)
  const { ensure = 'managed', ...rest } = own
  return declareState({
    module: 'pkgrepo',
    fun: ensure,
    id: stateId(name, common),
    args: { name, ...rest },
    options: common,
    origin,
    extra: REPO_KEYS_PASSED_ON.filter((key) => key in rest),
  })
}

// repo-file keys pkgrepo passes on to pkg.mod_repo / pkg.del_repo as they are (yum/dnf `gpgcheck`, `gpgkey`;
// apt `signedby`, and `file` for a repository to remove): not in the functions' signatures
const REPO_KEYS_PASSED_ON = ['gpgcheck', 'gpgkey', 'signedby', 'file']

export interface CronOptions extends CommonOptions {
  readonly ensure?: 'present' | 'absent'
  readonly user?: string
  readonly minute?: string | number
  readonly hour?: string | number
  readonly daymonth?: string | number
  readonly month?: string | number
  readonly dayweek?: string | number
  /** `@daily`, `@reboot`, ... instead of the five fields. */
  readonly special?: string
  /** A stable identifier, so editing the command updates the entry instead of adding one. */
  readonly identifier?: string
  readonly comment?: string
}

/**
 * A crontab entry.
 * @example
 * cron('/usr/local/bin/backup', { user: 'alice', hour: 3, minute: 0, identifier: 'backup' })
 * // /usr/local/bin/backup:
 * //   cron.present:
 * //     - user: alice
 * //     - hour: 3
 * //     - minute: 0
 * //     - identifier: backup
 */
export function cron(command: string, options: CronOptions = {}): StateHandle<'cron'> {
  const origin = callSite(cron)
  const { own, common } = splitOptions(options)
  const { ensure = 'present', ...rest } = own
  const id = stateIdText(common.id ?? own.identifier ?? command)
  return declareState({
    module: 'cron',
    fun: ensure,
    id,
    args: { name: command, ...rest },
    options: common,
    origin,
  })
}

export interface ArchiveOptions extends CommonOptions {
  readonly source: string
  readonly source_hash?: string
  readonly skip_verify?: boolean
  readonly archive_format?: 'tar' | 'zip' | 'rar'
  readonly user?: string
  readonly group?: string
  /** Skip when this path exists (inside the destination). */
  readonly if_missing?: string
  readonly enforce_toplevel?: boolean
  readonly options?: string
}

/**
 * An archive extracted into a directory.
 * @example
 * archive('/opt/node', { source: 'https://nodejs.org/dist/v20.0.0/node-v20.0.0-linux-x64.tar.xz', source_hash: 'sha256=...' })
 * // /opt/node:
 * //   archive.extracted:
 * //     - source: https://nodejs.org/dist/v20.0.0/node-v20.0.0-linux-x64.tar.xz
 * //     - source_hash: sha256=...
 */
export function archive(destination: string, options: ArchiveOptions): StateHandle<'archive'> {
  const origin = callSite(archive)
  const { own, common } = splitOptions(options)
  return declareState({
    module: 'archive',
    fun: 'extracted',
    id: stateId(destination, common),
    args: { name: destination, ...own },
    options: common,
    origin,
  })
}
