/** salt-dsl: typed TypeScript for SaltStack. */

import { inventory, profile } from './inventory.ts'
import { locateCalls } from './origin.ts'
import { layer, pillarSchema } from './pillar.ts'
import { byPlatform } from './platform.ts'
import { sls } from './sls.ts'
import { extensionState, state } from './state.ts'
import { group, user } from './states/account.ts'
import { cmd } from './states/cmd.ts'
import { dotfile } from './states/dotfile.ts'
import { file } from './states/file.ts'
import { archive, cron, git, pkgrepo } from './states/misc.ts'
import { pkg } from './states/pkg.ts'
import { service } from './states/service.ts'
import { top } from './top.ts'

export type { ApplyPolicy } from './apply-policy.ts'
export { applyPolicy } from './apply-policy.ts'
export type { ByName } from './by-name.ts'
export { byName } from './by-name.ts'
export type { SaltStateArgs, SaltStateFunction } from './catalog/salt-states.ts'
export { choose } from './choose-function.ts'
export type { DriftTimerSpec } from './drift-timer.ts'
export { driftTimer } from './drift-timer.ts'
export type { Accessor, Condition, Lookup } from './expr.ts'
export { and, eq, not, oneOf, or } from './expr.ts'
export type { ExtendArgs } from './extend.ts'
export { extend } from './extend.ts'
export { external } from './external.ts'
export { OctalMode, octal } from './file-mode.ts'
export type { Computed } from './filters.ts'
export { join, lower, orDefault, replace, upper, withDefault } from './filters.ts'
export { forEach } from './for-each.ts'
export type { OsFamily, OsName } from './grain-values.ts'
export { OS_FAMILIES, OS_FAMILY_OF, OS_NAMES } from './grain-values.ts'
export type { Ref, SlsHandle, StateHandle } from './handle.ts'
export { ifDefined } from './if-defined.ts'
export type { Include, IncludeSpec } from './include.ts'
export type { DeclaredProfile, DeclaredState } from './introspect.ts'
export { declaredProfiles, declaredSls, declaredStates } from './introspect.ts'
export type { InventorySpec, MachineSpec, ProfileHandle, ProfileSpec } from './inventory.ts'
export { inventory, profile } from './inventory.ts'
export type { LocalEditPolicy } from './local-edit.ts'
export { onLocalEdit } from './local-edit.ts'
export type { Grains, PillarData, Register } from './lookups.ts'
export { grains, pillar } from './lookups.ts'
export { migration } from './migration.ts'
export { moved } from './moved.ts'
export type { DeepPartial, LayerPath, PillarKit } from './pillar.ts'
export { layer, pillarSchema, z } from './pillar.ts'
export type { Platform, PlatformValue } from './platform.ts'
export { byPlatform, PLATFORM_GRAINS, PLATFORMS } from './platform.ts'
export type { GrainMap, PlatformGrain } from './platform-match.ts'
export type { PrunePolicy } from './prune-policy.ts'
export { prunePolicy } from './prune-policy.ts'
export type { SaltDirHandle } from './salt-dir.ts'
export { saltDir } from './salt-dir.ts'
export { type Secret, type SecretOptions, type SecretSource, secret } from './secret.ts'
export type { ShellRaw } from './shell.ts'
export { homePath, sh, shellQuote, shellRaw } from './shell.ts'
export type { SlsOptions } from './sls.ts'
export { sls, when } from './sls.ts'
export type { CommonOptions, Requisites } from './state.ts'
export { extensionState, state } from './state.ts'
export type { GroupOptions, UserOptions } from './states/account.ts'
export { group, user } from './states/account.ts'
export type { CmdOptions } from './states/cmd.ts'
export { cmd } from './states/cmd.ts'
export type { DotfileBackupSpec, DotfileSpec } from './states/dotfile.ts'
export { BACKUP_SUFFIX, dotfile, dotfileBackup } from './states/dotfile.ts'
export type { Content, FileSpec } from './states/file.ts'
export { file } from './states/file.ts'
export type { ArchiveOptions, CronOptions, GitOptions, PkgrepoOptions } from './states/misc.ts'
export { archive, cron, git, pkgrepo } from './states/misc.ts'
export type { PkgOptions } from './states/pkg.ts'
export { pkg } from './states/pkg.ts'
export type { ServiceOptions } from './states/service.ts'
export { service } from './states/service.ts'
export { text } from './text.ts'
export type { TargetSpec } from './top.ts'
export { top } from './top.ts'

locateCalls({
  archive,
  byPlatform,
  cmd,
  cron,
  dotfile,
  extensionState,
  file,
  git,
  group,
  inventory,
  layer,
  pillarSchema,
  pkg,
  pkgrepo,
  profile,
  service,
  sls,
  state,
  top,
  user,
})
