import { MODE_ARGS, modeText, type OctalMode } from '../file-mode.ts'
import type { StateHandle } from '../handle.ts'
import type { Origin } from '../ir.ts'
import { callSite } from '../origin.ts'
import { addIssue, session } from '../session.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface Ownership {
  readonly user?: Val<string>
  readonly group?: Val<string>
  /** Octal mode: `'0644'`, or a number written in octal (`0o644`, emitted as `'0644'`). */
  readonly mode?: Val<Mode>
  /** Create missing parent directories. */
  readonly makedirs?: Val<boolean>
}

/** Where a managed file's content comes from. */
export type Content =
  | { readonly contents: Val<string> }
  | {
      /**
       * A file of the config tree (relative to the config root) or a `salt://` URL; a list is Salt's
       * fallback sources: the first that exists on the master is used.
       */
      readonly source: Val<string> | readonly Val<string>[]
      /** Render the source with Salt's Jinja, with `context` as variables. */
      readonly template?: 'jinja'
      readonly context?: Readonly<Record<string, unknown>>
    }
  /** The content is this pillar key's value (`a:b:c`), read on the minion: a secret never in the SLS. */
  | { readonly contents_pillar: Val<string> }
  /** The content is this grain's value. */
  | { readonly contents_grains: Val<string> }

/** The keys `file()` types itself for each function (the others are Salt's own, from the catalog). */
type ManagedOwn = Ownership & {
  contents: unknown
  source: unknown
  template: unknown
  context: unknown
  contents_pillar: unknown
  contents_grains: unknown
  replace: unknown
  backup: unknown
}
type DirectoryOwn = Ownership & { dir_mode: unknown; file_mode: unknown; recurse: unknown; clean: unknown }
type SymlinkOwn = Ownership & { target: unknown; force: unknown; backupname: unknown }
type BlockOwn = {
  content: unknown
  marker_start: unknown
  marker_end: unknown
  append_if_not_found: unknown
  prepend_if_not_found: unknown
  backup: unknown
}

/** `ensure: 'managed'` (the default): `file.managed`'s arguments. */
export type FileManagedSpec = Ownership &
  (Content & { readonly ensure?: 'managed'; readonly replace?: Val<boolean>; readonly backup?: 'minion' }) &
  SaltArgs<'file.managed', ManagedOwn>

export type FileSpec = CommonOptions &
  (
    | FileManagedSpec
    /** Create the file empty when it is missing, never touch its content. */
    | (Ownership & { readonly ensure?: 'managed'; readonly replace: false } & SaltArgs<
          'file.managed',
          ManagedOwn
        >)
    | (Ownership & {
        readonly ensure: 'directory'
        readonly dir_mode?: Val<Mode>
        readonly file_mode?: Val<Mode>
        readonly recurse?: readonly ('user' | 'group' | 'mode' | 'ignore_files' | 'ignore_dirs' | 'silent')[]
        readonly clean?: Val<boolean>
      } & SaltArgs<'file.directory', DirectoryOwn>)
    /**
     * A directory whose files come from `source`: a directory of the config tree (shipped under the same
     * path) or a `salt://` URL.
     */
    | (Ownership & {
        readonly ensure: 'recurse'
        readonly source: string
        readonly dir_mode?: Val<Mode>
        readonly file_mode?: Val<Mode>
        readonly clean?: Val<boolean>
      } & SaltArgs<'file.recurse', DirectoryOwn & { source: unknown }>)
    | (Ownership & {
        readonly ensure: 'symlink'
        readonly target: Val<string>
        readonly force?: Val<boolean>
        /** Rename a regular file found in the link's place to this, instead of failing. */
        readonly backupname?: Val<string>
      } & SaltArgs<'file.symlink', SymlinkOwn>)
    | ({ readonly ensure: 'absent' } & SaltArgs<'file.absent'>)
    /** The file must exist (fails otherwise); nothing is changed. */
    | ({ readonly ensure: 'exists' } & SaltArgs<'file.exists'>)
    /** Lines appended where the file lacks them. */
    | ({ readonly ensure: 'append'; readonly text: Val<string | readonly string[]> } & SaltArgs<
        'file.append',
        { text: unknown }
      >)
    | ({
        readonly ensure: 'blockreplace'
        readonly content: Val<string>
        readonly marker_start?: Val<string>
        readonly marker_end?: Val<string>
        readonly append_if_not_found?: Val<boolean>
        readonly prepend_if_not_found?: Val<boolean>
        /** Salt writes `<file>.bak` before each edit by default: a suffix, or `false` for none. */
        readonly backup?: string | false
      } & SaltArgs<'file.blockreplace', BlockOwn>)
  )

/** An octal file mode: a string (`'0644'`), a number written in octal (`0o644`), or Salt's `octal(644)`. */
export type Mode = string | number | OctalMode

const SALT_URL = /^salt:\/\//

/** Registers a config-tree file to ship in the emitted tree; returns its `salt://` URL. */
export function shipSource(source: string, origin: Origin): string {
  if (SALT_URL.test(source) || /^[a-z]+:\/\//.test(source)) return source
  const path = source.replace(/^\.\//, '')
  if (path.startsWith('/') || path.split('/').includes('..')) {
    addIssue(
      'DSL1010',
      `source '${source}' is outside the config tree`,
      origin,
      'use a path relative to the config root',
    )
  }
  session().assets.push(Object.freeze({ kind: 'asset', path, origin }))
  return `salt://${path}`
}

/** Registers a config-tree directory to ship whole (file.recurse's source); returns its `salt://` URL. */
function shipDir(source: string, origin: Origin): string {
  if (/^[a-z]+:\/\//.test(source)) return source
  const path = source.replace(/^\.\//, '').replace(/\/+$/, '')
  if (path.startsWith('/') || path.split('/').includes('..')) {
    addIssue(
      'DSL1010',
      `source '${source}' is outside the config tree`,
      origin,
      'use a path relative to the config root',
    )
  }
  session().assets.push(Object.freeze({ kind: 'asset', path, dir: path, origin }))
  return `salt://${path}`
}

/** Builds the Salt arguments of a file spec (shared by `file()` and `dotfile()`). */
export function fileArgs(
  own: Record<string, unknown>,
  origin: Origin,
): { fun: string; args: Record<string, unknown> } {
  const { ensure = 'managed', ...rest } = own
  if (ensure === 'recurse' && typeof rest.source === 'string') rest.source = shipDir(rest.source, origin)
  else if (typeof rest.source === 'string') rest.source = shipSource(rest.source, origin)
  else if (Array.isArray(rest.source))
    rest.source = rest.source.map((s: unknown) => (typeof s === 'string' ? shipSource(s, origin) : s))
  for (const key of MODE_ARGS) if (key in rest) rest[key] = modeText(rest[key])
  if (ensure === 'blockreplace') {
    rest.marker_start ??= '# BEGIN managed by salt-dsl'
    rest.marker_end ??= '# END managed by salt-dsl'
    rest.append_if_not_found ??= true
  }
  return { fun: String(ensure), args: rest }
}

/**
 * A file: managed (inline `contents`, a `source` file, or a Jinja template with `context`), a directory,
 * a symlink, absent, or a managed block inside a file the user otherwise owns.
 * @example
 * file('/etc/motd', { contents: 'hello\n', mode: '0644' })
 * // /etc/motd:
 * //   file.managed:
 * //     - contents: |
 * //         hello
 * //     - mode: '0644'
 */
export function file(path: string, spec: FileSpec): StateHandle<'file'> {
  const origin = callSite(file)
  const { own, common } = splitOptions(spec)
  const { fun, args } = fileArgs(own as Record<string, unknown>, origin)
  return declareState({
    module: 'file',
    fun,
    id: stateId(path, common),
    args: { name: path, ...args },
    options: common,
    origin,
  })
}
