import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions } from '../state.ts'
import { stateIdText } from '../state-id.ts'

export interface PkgOptions extends CommonOptions {
  /** `installed` (default), `latest` (upgrade on every run), `removed` or `purged`. */
  readonly ensure?: 'installed' | 'latest' | 'removed' | 'purged'
  /** Pin a version (with `installed`). */
  readonly version?: string
  /** Refresh the package database first. */
  readonly refresh?: boolean
  /** Install from this repository. */
  readonly fromrepo?: string
  /** Install recommended packages too (apt). */
  readonly install_recommends?: boolean
}

/**
 * Packages from the platform's package manager.
 * @example
 * const git = pkg('git')
 * // git:
 * //   pkg.installed: []
 * pkg(['ripgrep', 'fd-find'], { id: 'cli-tools', ensure: 'latest' })
 * // cli-tools:
 * //   pkg.latest:
 * //     - pkgs:
 * //       - ripgrep
 * //       - fd-find
 */
export function pkg(
  names: readonly unknown[],
  options: PkgOptions & { readonly id: string },
): StateHandle<'pkg'>
// the string form is last: TypeScript reports the last overload's error, the one most calls mean
export function pkg(
  name: string | import('../expr.ts').Lookup<string>,
  options?: PkgOptions,
): StateHandle<'pkg'>
export function pkg(name: unknown, options: PkgOptions = {}): StateHandle<'pkg'> {
  const origin = callSite(pkg)
  const { own, common } = splitOptions(options)
  const { ensure = 'installed', ...rest } = own
  const many = Array.isArray(name)
  const id = stateIdText(common.id ?? name)
  const args = many ? { pkgs: name, ...rest } : { name, ...rest }
  return declareState({ module: 'pkg', fun: ensure, id, args, options: common, origin })
}
