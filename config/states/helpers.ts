/** Small building blocks shared by the state modules: per-user gates, backups, managed blocks. */
import {
  and,
  byPlatform,
  type Condition,
  type Content,
  dotfile,
  dotfileBackup,
  extensionState,
  homePath,
  type Lookup,
  type Requisites,
  type StateHandle,
  sh,
  state,
  when,
} from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'

const gates = new Map<string, Condition>()

/**
 * The condition "this machine's pillar has account `name`" (its `users/<name>` layer is merged). One
 * object per user, so states under it and requisites between them share the same `when()`.
 */
export function hasAccount(name: string): Condition {
  let gate = gates.get(name)
  if (gate === undefined) {
    gate = and(pillar.accounts[name]!)
    gates.set(name, gate)
  }
  return gate
}

/** The user's primary group: its own private group on Linux, `staff` on macOS. */
export const primaryGroup = (name: string) =>
  byPlatform({ debian: name, ubuntu: name, arch: name, fedora: name, macos: 'staff' })

/** What the configs record about the files they manage (read by validation and reporting). */
export interface ManagedFile {
  readonly user: string
  /** Path under the home, e.g. `.gitconfig`. */
  readonly path: string
  /** `whole`: the file is ours; `block`: only a marked block inside it. */
  readonly kind: 'whole' | 'block'
  readonly handle: StateHandle
}

export const managedFiles: ManagedFile[] = []

/**
 * Copies `~user/path` to `<path>.pre-dsl` right before `target` first changes it, when
 * `user.backup_existing_configs` is on: crash-safe, as the user, never over a completed backup.
 */
function backupBefore(target: StateHandle, user: string, path: string): void {
  when(pillar.user.backup_existing_configs, () => {
    // only a non-empty file is worth keeping (a managed block's file may have just been created empty)
    dotfileBackup(path, { user, before: target, nonEmpty: true })
  })
}

export type DotfileOptions = Content & Requisites & { readonly mode?: string }

/** A whole file in the user's home that salt-dsl owns, backed up before the first change. */
export function ownDotfile(user: string, path: string, spec: DotfileOptions): StateHandle<'file'> {
  const handle = dotfile(path, { ...spec, user, group: primaryGroup(user), backup: false })
  backupBefore(handle, user, path)
  managedFiles.push({ user, path, kind: 'whole', handle })
  return handle
}

/**
 * A marked block inside a file the user keeps editing (`~/.bashrc`, `~/.ssh/config`): the file is created
 * empty if missing, everything outside the markers is left alone.
 */
export function managedBlock(
  user: string,
  path: string,
  content: string,
  options: Requisites & { readonly mode?: string; readonly prepend?: boolean } = {},
): StateHandle {
  const { mode = '0644', prepend = false, ...requisites } = options
  const name = `~${user}/${path}`
  // no contents: Salt creates a missing file empty and never touches an existing one's content
  const exists = state('file.managed', {
    id: `${name} exists`,
    name,
    replace: false,
    user,
    group: primaryGroup(user),
    mode,
    makedirs: true,
    ...requisites,
  })
  const block = state('file.blockreplace', {
    id: `${name} managed block`,
    name,
    content,
    marker_start: '# >>> managed by salt-dsl: edits inside this block are overwritten >>>',
    marker_end: '# <<< managed by salt-dsl <<<',
    append_if_not_found: !prepend,
    prepend_if_not_found: prepend,
    backup: false, // Salt's default writes <file>.bak on every edit; backupBefore keeps the original once
    // under test=True `exists` creates nothing, and blockreplace fails on a missing file
    ...{ onlyif: sh`test -e ${homePath(user, path)}` },
    require: [exists],
  })
  backupBefore(block, user, path)
  managedFiles.push({ user, path, kind: 'block', handle: block })
  return block
}

/**
 * `pkg.installed` of a list read from the pillar. Workaround: the DSL's argument schema wants `pkgs` to be a
 * literal list (a lookup of the whole list fails DSL3003), so this state skips the catalog check.
 */
export function installFromList(args: {
  readonly id: string
  readonly pkgs: Lookup<readonly string[]>
  readonly [arg: string]: unknown
}): StateHandle {
  return extensionState('pkg.installed', args as Parameters<typeof extensionState>[1])
}
