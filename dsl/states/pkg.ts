import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions } from '../state.ts'
import { stateIdText } from '../state-id.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface PkgOwn {
  /** Pin a version (with `installed`). */
  readonly version?: Val<string | number>
  /** Refresh the package database first. */
  readonly refresh?: Val<boolean>
  /** Install from this repository. */
  readonly fromrepo?: Val<string>
  /** Install recommended packages too (apt). */
  readonly install_recommends?: Val<boolean>
  /** Hold the package at its version (apt, yum/dnf versionlock). */
  readonly hold?: Val<boolean>
}

/** `pkg()` with `ensure: 'installed'` (the default): `pkg.installed`'s arguments. */
export type PkgInstalledOptions = CommonOptions &
  PkgOwn & { readonly ensure?: 'installed' } & SaltArgs<'pkg.installed', PkgOwn & { pkgs: unknown }>
/** `pkg()` with `ensure: 'latest'`: `pkg.latest`'s arguments. */
export type PkgLatestOptions = CommonOptions &
  PkgOwn & { readonly ensure: 'latest' } & SaltArgs<'pkg.latest', PkgOwn & { pkgs: unknown }>
/** `pkg()` with `ensure: 'removed'`: `pkg.removed`'s arguments. */
export type PkgRemovedOptions = CommonOptions & { readonly ensure: 'removed' } & SaltArgs<
    'pkg.removed',
    { pkgs: unknown }
  >
/** `pkg()` with `ensure: 'purged'`: `pkg.purged`'s arguments. */
export type PkgPurgedOptions = CommonOptions & { readonly ensure: 'purged' } & SaltArgs<
    'pkg.purged',
    { pkgs: unknown }
  >

export type PkgOptions = PkgInstalledOptions | PkgLatestOptions | PkgRemovedOptions | PkgPurgedOptions

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
