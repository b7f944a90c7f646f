import { type Condition, toCond } from '../expr.ts'
import type { Ref, StateHandle } from '../handle.ts'
import type { Origin } from '../ir.ts'
import { type LocalEditPolicy, localEditMarker } from '../local-edit.ts'
import { callSite } from '../origin.ts'
import { byPlatform } from '../platform.ts'
import { addIssue, session, settledThunk } from '../session.ts'
import { homePath, sh, shellRaw, USER_NAME } from '../shell.ts'
import { type CommonOptions, declareState, splitOptions } from '../state.ts'
import { stateIdText } from '../state-id.ts'
import { type Content, fileArgs } from './file.ts'

export type DotfileSpec = CommonOptions &
  Content & {
    /** The owner; the file goes to `~user/<path>` (Salt expands `~` when it applies). */
    readonly user: string
    /**
     * The group (default: the platform's primary group of a user: `staff` on macOS, the user's own group on
     * Debian, Ubuntu, Fedora and Arch).
     */
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
    /**
     * When the user edited the file since the last apply: `keep` it (default) or `overwrite` it; the
     * user's version is backed up to `<path>.local-<N>` first either way (read by `dsl apply`).
     */
    readonly onLocalEdit?: LocalEditPolicy
    /**
     * Let Salt print a diff of the old and new content (default `true`, but `false` under `~/.ssh` and
     * `~/.gnupg`, for private-key files and whenever the content is a `secret()`).
     */
    readonly show_changes?: boolean
  }

/** The suffix of a dotfile's backup: the file that was there before salt-dsl first changed it. */
export const BACKUP_SUFFIX = '.pre-dsl'

/**
 * A file in a user's home, written in place or linked from `~/.dotfiles`, with a backup of what was there.
 * The path is relative to the home and stays inside it (no `..`, no absolute path, no `~other`: DSL1020).
 * @example
 * dotfile('.gitconfig', { user: 'alice', source: 'files/gitconfig', template: 'jinja', context: { email } })
 * // ~alice/.gitconfig.pre-dsl:                 (runs only when ~alice/.gitconfig is about to change)
 * //   cmd.run:
 * //     - name: umask 077 && f=~alice/'.gitconfig' && ... && mv -f "$t" "$f.pre-dsl"
 * //     - runas: alice
 * //     ...
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
  const {
    user,
    group = primaryGroup(user),
    mode = '0644',
    as = 'copy',
    backup = true,
    onLocalEdit,
    show_changes = !holdsKeys(path),
    ...content
  } = own
  const clean = homeRelative(path, user, origin)
  const home = `~${user}`
  const target = `${home}/${clean}`
  const { args } = fileArgs(content as Record<string, unknown>, origin)
  const owned = { user, group, mode, makedirs: true, ...(show_changes ? {} : { show_changes: false }) }
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
    if (onLocalEdit !== undefined) localEditMarker(body, onLocalEdit, origin)
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
    // Salt renames the old file to the backup name (atomic, owner and mode kept) and never overwrites one
    const linkArgs = backup === true ? { ...link, backupname: `${base}${BACKUP_SUFFIX}` } : link
    const options = { ...common, require: [body, ...asList(common.require)] }
    return declareState({
      module: 'file',
      fun: 'symlink',
      id: stateIdText(common.id ?? target),
      args: linkArgs,
      options,
      origin,
    })
  }
  const id = stateIdText(common.id ?? target)
  if (backup !== false) {
    const when = session().when
    if (backup !== true) when.push(toCond(backup))
    declareBackup(clean, { user, before: settledThunk(() => handle), id: `${id}${BACKUP_SUFFIX}` }, origin)
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
  if (onLocalEdit !== undefined) localEditMarker(handle, onLocalEdit, origin)
  return handle
}

export interface DotfileBackupSpec {
  /** The owner of the home. */
  readonly user: string
  /** The state about to change the file: the backup runs only when it would (Salt's `prereq`). */
  readonly before: Ref
  /** Keep only a non-empty file (e.g. one a managed block's state may have just created empty). */
  readonly nonEmpty?: boolean
  /** The state ID (default `~user/<path>.pre-dsl`). */
  readonly id?: string
}

/**
 * Copies `~user/<path>` to `<path>.pre-dsl` right before `before` first changes it (what `dotfile()` does
 * for its own file; for a file another state edits, such as a `file.blockreplace`).
 * @example
 * dotfileBackup('.bashrc', { user: 'ada', before: block, nonEmpty: true })
 */
export function dotfileBackup(path: string, spec: DotfileBackupSpec): StateHandle<'cmd'> {
  const origin = callSite(dotfileBackup)
  const clean = homeRelative(path, spec.user, origin)
  const id = spec.id ?? `~${spec.user}/${clean}${BACKUP_SUFFIX}`
  return declareBackup(clean, { ...spec, id }, origin)
}

/**
 * The backup, crash-safe: run as the user (so nothing in the home is ever written by root), it copies the
 * file with its mode and times into `<file>.pre-dsl.tmp` (created 0600: never readable by others, even
 * half-written) and renames it over `<file>.pre-dsl` (atomic): the backup name only ever holds a complete
 * copy. A leftover temp is removed and made again. The guard skips a backup owned by the user, which
 * only a completed copy is (Salt's `file.copy`, used before, made it root's until the end); a root-owned
 * one is made again when it is a partial copy of the file as it is, else kept and the change stopped.
 * A failed backup fails the `prereq`, and Salt then does not run the change (a `require` back would be
 * a requisite cycle).
 */
function declareBackup(
  clean: string,
  spec: DotfileBackupSpec & { readonly id: string },
  origin: Origin,
): StateHandle<'cmd'> {
  const file = homePath(spec.user, clean)
  const vars = sh`f=${file} && b="$f${shellRaw(BACKUP_SUFFIX)}" && t="$b.tmp"`
  // a backup that is not the user's was left by an interrupted older backup: made again only when it is
  // (a start of) the file as it is now, else kept and the change stopped, since it may hold the original
  const stale = sh`if test -e "$b" && test ! -O "$b"; then head -c "$(wc -c <"$b")" -- "$f" | cmp -s - "$b" || { printf '%s\\n' "$b is not $(id -un)'s and not a copy of $f: kept; check it, then remove it or give it to $(id -un)" >&2; exit 1; }; fi`
  const copy = sh`umask 077 && ${shellRaw(vars)} && ${shellRaw(stale)} && rm -f "$t" && cp -p "$f" "$t" && { sync "$t" 2>/dev/null || :; } && mv -f "$t" "$b"`
  const done = sh`${shellRaw(vars)} && test -f "$b" && test ! -L "$b" && test -O "$b"`
  // absent only when the user can see that it is: a file behind a directory the user cannot enter is
  // kept (its copy then fails and stops the change), never taken for absent
  const present = spec.nonEmpty === true ? 'test -s "$f"' : 'test -f "$f"'
  const exists = sh`f=${file}; if test -e "$f"; then ${shellRaw(present)}; else d=$f; while ! test -e "$d"; do d=$(dirname -- "$d"); done; ! test -x "$d"; fi`
  return declareState({
    module: 'cmd',
    fun: 'run',
    id: spec.id,
    args: { name: copy, runas: spec.user, onlyif: exists, unless: done },
    options: { prereq: [spec.before] },
    origin,
  })
}

/** `path` relative to the home, or a DSL1020/DSL1021 issue when it (or the user) could leave it. */
function homeRelative(path: string, user: string, origin: Origin): string {
  if (!USER_NAME.test(user)) {
    addIssue(
      'DSL1021',
      `dotfile user '${user}' is not a plain user name`,
      origin,
      'a user name is letters, digits, `_`, `.` and `-`, not starting with a digit, `.` or `-`',
    )
  }
  const segments = path.split('/')
  const clean = segments.filter((s) => s !== '' && s !== '.').join('/')
  if (path.startsWith('/') || path.startsWith('~') || segments.includes('..') || clean === '') {
    addIssue(
      'DSL1020',
      `dotfile path '${path}' is not a file inside ~${user}`,
      origin,
      "give the path relative to the user's home, without `..`, a leading `/` or `~` (e.g. '.config/git/config'); use file() for paths outside a home",
    )
  }
  return clean
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T]
}

/** A user's primary group where the platform decides it: `staff` on macOS, a group of its own elsewhere. */
function primaryGroup(user: string): string {
  return byPlatform({ macos: user === 'root' ? 'wheel' : 'staff', default: user })
}

/** Files whose content is a key: their diff would print it (`~/.ssh/*`, `~/.gnupg/*`, `*.pem`, `id_*`). */
function holdsKeys(path: string): boolean {
  const parts = path.split('/')
  const base = parts.at(-1) ?? ''
  if (parts.some((p) => p === '.ssh' || p === '.gnupg'))
    return !/\.pub$|^known_hosts|^config$|^authorized_keys/.test(base)
  return /^id_[a-z0-9_]+$|\.(pem|key|p12|pfx)$|private/i.test(base)
}
