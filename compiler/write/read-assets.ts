// The config-tree files the states ship (`source:`), read for the tree. A file reached through a link
// that leaves the config tree is refused (a `files/motd -> /etc/shadow` would copy the target into out/
// and to every machine); an owner-only source stays owner-only in the tree.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { type Diagnostic, error } from '../diagnostics.ts'
import type { LoadedConfig } from '../load/load-config.ts'

export interface Assets {
  /** Each file's bytes, by its path under out/salt/. */
  readonly bytes: Map<string, Uint8Array>
  /** The mode of each file shipped with another than the default 0644, by its path under out/. */
  readonly modes: Map<string, number>
}

/**
 * The bytes of every config-tree file the states ship. With `kept` (watch mode), what was read last time
 * is reused for a file not among `changed` (when the watcher said what changed).
 */
export function readAssets(
  loaded: LoadedConfig,
  kept?: Map<string, Uint8Array>,
  changed?: ReadonlySet<string>,
): { value: Assets; diagnostics: Diagnostic[] } {
  const bytes = new Map<string, Uint8Array>()
  const modes = new Map<string, number>()
  const diagnostics: Diagnostic[] = []
  let root: string | undefined
  for (const asset of loaded.program.assets) {
    if (bytes.has(asset.path)) continue
    const file = join(loaded.root, asset.path)
    const known = changed === undefined || changed.has(file) ? undefined : kept?.get(file)
    if (!existsSync(file)) {
      diagnostics.push(
        error(
          'DSL3007',
          `source file '${asset.path}' does not exist under ${relative(process.cwd(), loaded.root) || '.'}`,
          asset.origin,
        ),
      )
      continue
    }
    root ??= realpathSync(loaded.root)
    const real = realpathSync(file)
    if (real !== root && !real.startsWith(`${root}${sep}`)) {
      diagnostics.push(
        error(
          'DSL5010',
          `source '${asset.path}' is a link to ${real}, outside the config tree`,
          asset.origin,
          {
            hint: 'copy the file into the config tree: a link out of it would ship whatever it points to',
          },
        ),
      )
      continue
    }
    const stat = statSync(real)
    if (!stat.isFile()) {
      diagnostics.push(
        error('DSL5016', `source '${asset.path}' is not a file`, asset.origin, {
          hint: 'name a file under the config root',
        }),
      )
      continue
    }
    const mode = shippedMode(stat.mode)
    if (mode !== DEFAULT_MODE) modes.set(`salt/${asset.path}`, mode)
    if (known !== undefined) {
      bytes.set(asset.path, known)
      continue
    }
    const read = readFileSync(real)
    const last = kept?.get(file)
    // the same bytes as last time: the same buffer, whose hash emit then has
    const data = last !== undefined && Buffer.compare(last, read) === 0 ? last : read
    kept?.set(file, data)
    bytes.set(asset.path, data)
  }
  return { value: { bytes, modes }, diagnostics }
}

const DEFAULT_MODE = 0o644

/** 0644, or 0600 when the source is readable by its owner only; executable stays executable. */
function shippedMode(source: number): number {
  const exec = (source & 0o100) !== 0 ? 0o111 : 0
  return (source & 0o077) === 0 ? 0o600 | (exec & 0o100) : DEFAULT_MODE | exec
}
