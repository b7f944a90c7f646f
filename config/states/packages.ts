/** Package states: one refresh of the package database, then one state per tier of the pillar's lists. */
import {
  byPlatform,
  type Condition,
  cmd,
  eq,
  grains,
  type Lookup,
  type SlsHandle,
  sh,
  sls,
  state,
  when,
} from 'salt-dsl'
import { pillar } from '../pillar/schema.ts'
import { installFromList } from './helpers.ts'

const STAMP = '/var/cache/salt-dsl/package-db.stamp'

/** Declared in `base.packages`; every other package state requires it (through an include). */
let refreshDb: ReturnType<typeof cmd> | undefined

/** The package states, by id (validation and reporting read them). */
export const packageStates: { readonly id: string; readonly list: Lookup<readonly string[]> }[] = []

function tier(id: string, list: Lookup<readonly string[]>, cask = false) {
  // an empty list is falsy in Jinja: no state at all rather than a pkg.installed with nothing to install
  when(list, () => {
    installFromList({
      id,
      pkgs: list,
      ...(cask ? { options: ['--cask'] } : { install_recommends: pillar.packages.install_recommended }),
      require: refreshDb === undefined ? [] : [refreshDb],
    })
  })
  packageStates.push({ id, list })
}

const p = pillar.packages

/** Core tools every profile gets; refreshes the package database at most once a day first. */
export const basePackages = sls('base.packages', () => {
  refreshDb = cmd(
    byPlatform({
      debian: 'apt-get update -qq',
      ubuntu: 'apt-get update -qq',
      arch: 'pacman -Sy --noconfirm',
      fedora: 'dnf -q makecache',
      macos: 'true', // Homebrew refreshes itself before installing
    }),
    {
      id: 'package-db-refresh',
      unless: sh`test -n "$(find ${STAMP} -mmin -1440 2>/dev/null)"`,
    },
  )
  state('file.touch', { id: STAMP, name: STAMP, makedirs: true, onchanges: [refreshDb] })
  tier('core-packages', p.core)
})

/** Compilers, language servers and databases. */
export const devPackages = sls('dev.packages', () => {
  when(pillar.features.install_development_tools, () => {
    tier('development-packages', p.development)
    tier('language-servers', p.language_servers)
    tier('database-packages', p.databases)
  })
})

const isMac: Condition = eq(grains.os, 'MacOS')

/** Desktop applications, media tools, fonts and games (casks on macOS), each behind its feature flag. */
export const desktopPackages = sls('desktop.apps', () => {
  const flags = pillar.features
  const gated: [Condition, string, Lookup<readonly string[]>, Lookup<readonly string[]>][] = [
    [flags.install_desktop_apps, 'desktop', p.desktop, p.casks.desktop],
    [flags.install_media_tools, 'media', p.media, p.casks.media],
    [flags.install_fonts, 'fonts', p.fonts, p.casks.fonts],
    [flags.install_games, 'games', p.games, p.casks.games],
  ]
  for (const [flag, name, list, casks] of gated) {
    when(flag, () => {
      tier(`${name}-packages`, list)
      when(isMac, () => tier(`${name}-casks`, casks, true))
    })
  }
})

/** The modules above, for the profiles. */
export const packageModules: Record<'base' | 'dev' | 'desktop', SlsHandle> = {
  base: basePackages,
  dev: devPackages,
  desktop: desktopPackages,
}
