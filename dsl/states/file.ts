import type { Lookup } from '../expr.ts'
import type { StateHandle } from '../handle.ts'
import type { Origin } from '../ir.ts'
import { callSite } from '../origin.ts'
import { addIssue, session } from '../session.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'

interface Ownership {
  readonly user?: string
  readonly group?: string
  /** Octal mode: `'0644'`, or a number written in octal (`0o644`, emitted as `'0644'`). */
  readonly mode?: Mode
  /** Create missing parent directories. */
  readonly makedirs?: boolean
}

/** Where a managed file's content comes from. */
export type Content =
  | { readonly contents: string | Lookup<string> }
  | {
      /**
       * A file of the config tree (relative to the config root) or a `salt://` URL; a list is Salt's
       * fallback sources: the first that exists on the master is used.
       */
      readonly source: string | readonly string[]
      /** Render the source with Salt's Jinja, with `context` as variables. */
      readonly template?: 'jinja'
      readonly context?: Readonly<Record<string, unknown>>
    }

export type FileSpec = CommonOptions &
  (
    | (Ownership &
        Content & { readonly ensure?: 'managed'; readonly replace?: boolean; readonly backup?: 'minion' })
    /** Create the file empty when it is missing, never touch its content. */
    | (Ownership & { readonly ensure?: 'managed'; readonly replace: false })
    | (Ownership & {
        readonly ensure: 'directory'
        readonly dir_mode?: Mode
        readonly file_mode?: Mode
        readonly recurse?: readonly ('user' | 'group' | 'mode')[]
        readonly clean?: boolean
      })
    | (Ownership & {
        readonly ensure: 'symlink'
        readonly target: string
        readonly force?: boolean
        /** Rename a regular file found in the link's place to this, instead of failing. */
        readonly backupname?: string
      })
    | { readonly ensure: 'absent' }
    | {
        readonly ensure: 'blockreplace'
        readonly content: string | Lookup<string>
        readonly marker_start?: string
        readonly marker_end?: string
        readonly append_if_not_found?: boolean
        readonly prepend_if_not_found?: boolean
        /** Salt writes `<file>.bak` before each edit by default: a suffix, or `false` for none. */
        readonly backup?: string | false
      }
  )

/** An octal file mode: a string (`'0644'`) or a number written in octal (`0o644`). */
export type Mode = string | number

const SALT_URL = /^salt:\/\//

/** `0o644` → `'0644'` (Salt reads a mode as octal digits; the number 420 would be mode 0420's digits). */
export function modeText(mode: unknown): unknown {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777
    ? mode.toString(8).padStart(4, '0')
    : mode
}

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

/** Builds the Salt arguments of a file spec (shared by `file()` and `dotfile()`). */
export function fileArgs(
  own: Record<string, unknown>,
  origin: Origin,
): { fun: string; args: Record<string, unknown> } {
  const { ensure = 'managed', ...rest } = own
  if (typeof rest.source === 'string') rest.source = shipSource(rest.source, origin)
  else if (Array.isArray(rest.source))
    rest.source = rest.source.map((s: unknown) => (typeof s === 'string' ? shipSource(s, origin) : s))
  for (const key of ['mode', 'dir_mode', 'file_mode'] as const)
    if (key in rest) rest[key] = modeText(rest[key])
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
