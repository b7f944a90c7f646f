// The config-tree files the states ship (`source:`), read for the tree. A file reached through a link
// that leaves the config tree is refused (a `files/motd -> /etc/shadow` would copy the target into out/
// and to every machine); an owner-only source stays owner-only in the tree.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Asset } from '../../dsl/ir.ts'
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
  for (const listed of loaded.program.assets) {
    for (const asset of listed.dir === undefined ? [listed] : dirFiles(loaded.root, listed, diagnostics))
      root = readAsset(asset, root)
  }
  return { value: { bytes, modes }, diagnostics }

  /** Reads one file into `bytes` (by its path under out/salt/); returns the config root's real path. */
  function readAsset(asset: ShippedFile, root: string | undefined): string | undefined {
    if (bytes.has(asset.path)) return root
    const file = join(loaded.root, asset.from ?? asset.path)
    const known = changed === undefined || changed.has(file) ? undefined : kept?.get(file)
    if (!existsSync(file)) {
      diagnostics.push(
        error(
          'DSL3007',
          `source file '${asset.path}' does not exist under ${relative(process.cwd(), loaded.root) || '.'}`,
          asset.origin,
        ),
      )
      return root
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
      return root
    }
    const stat = statSync(real)
    if (!stat.isFile()) {
      diagnostics.push(
        error('DSL5016', `source '${asset.path}' is not a file`, asset.origin, {
          hint: 'name a file under the config root',
        }),
      )
      return root
    }
    const mode = shippedMode(stat.mode)
    if (mode !== DEFAULT_MODE) modes.set(`salt/${asset.path}`, mode)
    if (known !== undefined) {
      bytes.set(asset.path, known)
      return root
    }
    const read = readFileSync(real)
    const last = kept?.get(file)
    // the same bytes as last time: the same buffer, whose hash emit then has
    const data = last !== undefined && Buffer.compare(last, read) === 0 ? last : read
    kept?.set(file, data)
    bytes.set(asset.path, data)
    return root
  }
}

/** A file to ship: its path under out/salt/, and where it is in the config tree when that differs. */
interface ShippedFile {
  readonly path: string
  readonly from?: string
  readonly origin: Asset['origin']
}

/** Every file of a `saltDir()`, each at `<dir>/<relative path>` under out/salt/ (sorted: a stable tree). */
function dirFiles(configRoot: string, asset: Asset, diagnostics: Diagnostic[]): ShippedFile[] {
  const top = join(configRoot, asset.path)
  if (!existsSync(top) || !statSync(top).isDirectory()) {
    const where = relative(process.cwd(), configRoot) || '.'
    diagnostics.push(
      error('DSL1074', `saltDir '${asset.path}' is not a directory under ${where}`, asset.origin),
    )
    return []
  }
  const out: ShippedFile[] = []
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(top, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name === '.git') continue
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else out.push({ path: `${asset.dir}/${path}`, from: `${asset.path}/${path}`, origin: asset.origin })
    }
  }
  walk('')
  return out
}

const DEFAULT_MODE = 0o644

/** 0644, or 0600 when the source is readable by its owner only; executable stays executable. */
function shippedMode(source: number): number {
  const exec = (source & 0o100) !== 0 ? 0o111 : 0
  return (source & 0o077) === 0 ? 0o600 | (exec & 0o100) : DEFAULT_MODE | exec
}
