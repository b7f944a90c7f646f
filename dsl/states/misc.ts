import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import { stateIdText } from '../state-id.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface GitOwn {
  /** Where to clone. */
  readonly target: Val<string>
  /** Branch, tag or commit (default: the remote's HEAD). */
  readonly rev?: Val<string>
  readonly branch?: Val<string>
  readonly user?: Val<string>
  readonly depth?: Val<number>
  /** Reset local changes: `true`, or `'remote-changes'` only when the remote moved. */
  readonly force_reset?: Val<boolean | 'remote-changes'>
  /** Update the repository's submodules after a clone or fetch. */
  readonly submodules?: Val<boolean>
  /** SSH private key file(s) (or `salt://` URLs) to authenticate with. */
  readonly identity?: Val<string | readonly string[]>
}

/** `git()`: `git.latest`'s arguments. */
export type GitOptions = CommonOptions & GitOwn & SaltArgs<'git.latest', GitOwn>

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

interface PkgrepoOwn {
  readonly humanname?: Val<string>
  /** apt: the file the `deb ...` line is written to. */
  readonly file?: Val<string>
  /** apt: the URL of the repository's signing key. */
  readonly key_url?: Val<string>
  /** apt: the keyring that signs the repository (`signed-by=`), passed on to pkg.mod_repo. */
  readonly signedby?: Val<string>
  /** apt: the key's id, fetched from `keyserver`. */
  readonly keyid?: Val<string>
  readonly keyserver?: Val<string>
  /** apt: a Launchpad PPA, `owner/name` (Ubuntu). */
  readonly ppa?: Val<string>
  readonly aptkey?: Val<boolean>
  /** dnf/yum: the repository URL. */
  readonly baseurl?: Val<string>
  readonly gpgcheck?: Val<boolean | number>
  readonly gpgkey?: Val<string>
  readonly enabled?: Val<boolean | number>
  readonly refresh?: Val<boolean>
}

/** `pkgrepo()` with `ensure: 'managed'` (the default): `pkgrepo.managed`'s arguments. */
export type PkgrepoManagedOptions = CommonOptions &
  PkgrepoOwn & { readonly ensure?: 'managed' } & SaltArgs<'pkgrepo.managed', PkgrepoOwn>
/** `pkgrepo()` with `ensure: 'absent'`: `pkgrepo.absent`'s arguments. */
export type PkgrepoAbsentOptions = CommonOptions & {
  readonly ensure: 'absent'
  readonly file?: Val<string>
  readonly keyid?: Val<string>
} & SaltArgs<'pkgrepo.absent', { file: unknown; keyid: unknown }>

export type PkgrepoOptions = PkgrepoManagedOptions | PkgrepoAbsentOptions

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

interface CronOwn {
  readonly user?: Val<string>
  readonly minute?: Val<string | number>
  readonly hour?: Val<string | number>
  readonly daymonth?: Val<string | number>
  readonly month?: Val<string | number>
  readonly dayweek?: Val<string | number>
  /** `@daily`, `@reboot`, ... instead of the five fields. */
  readonly special?: Val<string>
  /** A stable identifier, so editing the command updates the entry instead of adding one. */
  readonly identifier?: Val<string>
  readonly comment?: Val<string>
  /** Keep the entry, commented out. */
  readonly commented?: Val<boolean>
}

/** `cron()` with `ensure: 'present'` (the default): `cron.present`'s arguments. */
export type CronPresentOptions = CommonOptions &
  CronOwn & { readonly ensure?: 'present' } & SaltArgs<'cron.present', CronOwn>
/** `cron()` with `ensure: 'absent'`: `cron.absent`'s arguments. */
export type CronAbsentOptions = CommonOptions & {
  readonly ensure: 'absent'
  readonly user?: Val<string>
  readonly identifier?: Val<string>
  readonly special?: Val<string>
} & SaltArgs<'cron.absent', { user: unknown; identifier: unknown; special: unknown }>

export type CronOptions = CronPresentOptions | CronAbsentOptions

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

interface ArchiveOwn {
  readonly source: Val<string>
  readonly source_hash?: Val<string>
  readonly skip_verify?: Val<boolean>
  readonly archive_format?: Val<'tar' | 'zip' | 'rar'>
  readonly user?: Val<string>
  readonly group?: Val<string>
  /** Skip when this path exists (inside the destination). */
  readonly if_missing?: Val<string>
  readonly enforce_toplevel?: Val<boolean>
  readonly options?: Val<string>
}

/** `archive()`: `archive.extracted`'s arguments. */
export type ArchiveOptions = CommonOptions & ArchiveOwn & SaltArgs<'archive.extracted', ArchiveOwn>

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
