import type { SlsHandle } from './handle.ts'
import type { InventoryNode, MachineNode, Origin, ProfileNode, Value } from './ir.ts'
import type { PillarData } from './lookups.ts'
import { callSite } from './origin.ts'
import { isPlatform, PLATFORMS, type Platform } from './platform.ts'
import { addIssue, register, session } from './session.ts'
import { MAX_DEPTH, toValue } from './values.ts'

const PROFILE = Symbol.for('salt-dsl.profile')

/** What `profile()` returns: a name to give machines in the inventory. */
export interface ProfileHandle {
  readonly [PROFILE]: true
  readonly name: string
}

type Features = PillarData extends { features?: infer F }
  ? Partial<NonNullable<F>>
  : Readonly<Record<string, unknown>>

export interface ProfileSpec {
  /** The SLS modules every machine of this profile gets, in state top-file order. */
  readonly sls: readonly SlsHandle[]
  /** Feature flags, merged into the pillar under `features` right after the defaults. */
  readonly features?: Features
}

const NAME_RE = /^[A-Za-z0-9_-]+$/
const ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/**
 * A named set of SLS modules and feature flags (minimal, development, desktop, work, ...).
 * @example
 * const dev = profile('development', { sls: [git, editors], features: { docker: true } })
 * // out/salt/top.sls:  'L@ubuntu-desk or ( G@dsl:profile:development and not L@ubuntu-desk )': [dev.git, editors]
 * // out/pillar/profiles/development.sls:  features: { docker: true }
 */
export function profile(name: string, spec: ProfileSpec): ProfileHandle {
  const origin = callSite(profile)
  if (!NAME_RE.test(name))
    addIssue('DSL4007', `'${name}' is not a valid profile name`, origin, 'use letters, digits, _ and -')
  const features =
    spec.features === undefined ? undefined : toValue(spec.features, origin, `features of profile '${name}'`)
  const node: ProfileNode = Object.freeze({
    kind: 'profile',
    name,
    sls: Object.freeze(spec.sls.map((h) => h.name)),
    features: features as ProfileNode['features'],
    origin,
  })
  register(session(), { kind: 'profile', node })
  return Object.freeze({ [PROFILE]: true as const, name })
}

export interface MachineSpec {
  readonly platform: Platform
  /** The environment layer (`environments/<name>`), e.g. personal, work, minimal. */
  readonly environment: string
  readonly profile: ProfileHandle
  /** User layers (`users/<name>`), after `users/default`, in this order. */
  readonly users?: readonly string[]
  /** Extra grains to assume for this machine (`dsl show grains`, the tests' simulated minion). */
  readonly grains?: Readonly<Record<string, string | number | boolean>>
}

export interface InventorySpec {
  /** Machines by minion id. */
  readonly machines: Readonly<Record<string, MachineSpec>>
  /** For machines not registered yet: what to assume when the onboarding grains are missing. */
  readonly onboarding?: {
    readonly environment?: string
    readonly profile?: ProfileHandle
    /**
     * The platforms a new machine may onboard on (default: every platform). Each `byPlatform` map in the
     * onboarding profile's SLS must cover them, as it must cover every registered machine's platform.
     */
    readonly platforms?: readonly Platform[]
  }
  /** Salt's `pillar_merge_lists` (default false): later layers append to lists instead of replacing them. */
  readonly pillarMergeLists?: boolean
}

/**
 * The machines this config manages: minion id → platform, environment, profile and users. The pillar and
 * state top files are generated from it; unregistered machines match by the `dsl:environment` and
 * `dsl:profile` grains their onboarding sets.
 * @example
 * inventory({ machines: { 'mbp-work': { platform: 'macos', environment: 'work', profile: work, users: ['ada'] } } })
 * // out/pillar/top.sls:
 * // base:
 * //   'mbp-work':
 * //     - machines.mbp-work
 * //     - users.default
 * //     - users.ada
 */
export function inventory(spec: InventorySpec): void {
  const origin = callSite(inventory)
  const machines = Object.entries(spec.machines).map(([id, m]): MachineNode => {
    if (!ID_RE.test(id)) {
      addIssue(
        'DSL4007',
        `'${id}' is not a minion id salt-dsl can target`,
        origin,
        'use letters, digits, ., _ and -',
      )
    }
    if (!isPlatform(m.platform)) {
      addIssue(
        'DSL4006',
        `machine '${id}': unknown platform '${String(m.platform)}'`,
        origin,
        `use one of ${PLATFORMS.join(', ')}`,
      )
    }
    // grains are plain data: no lookup has anything to resolve against
    const where = `grains of '${id}'`
    const grains = (toValue(m.grains ?? {}, origin, where, MAX_DEPTH, false) ?? {}) as Record<string, Value>
    return Object.freeze({
      kind: 'machine',
      id,
      platform: m.platform,
      environment: m.environment,
      profile: m.profile.name,
      users: Object.freeze([...(m.users ?? [])]),
      grains,
      origin,
    })
  })
  const onboarding = {
    ...(spec.onboarding?.environment === undefined ? {} : { environment: spec.onboarding.environment }),
    ...(spec.onboarding?.profile === undefined ? {} : { profile: spec.onboarding.profile.name }),
    ...(spec.onboarding?.platforms === undefined ? {} : { platforms: onboardingPlatforms(spec, origin) }),
  }
  const node: InventoryNode = Object.freeze({
    kind: 'inventory',
    machines: Object.freeze(machines),
    onboarding: Object.freeze(onboarding),
    mergeLists: spec.pillarMergeLists === true,
    origin,
  })
  register(session(), { kind: 'inventory', node })
}

function onboardingPlatforms(spec: InventorySpec, origin: Origin): readonly string[] {
  const listed = spec.onboarding?.platforms ?? []
  for (const p of listed) {
    if (!isPlatform(p)) {
      addIssue(
        'DSL4006',
        `onboarding: unknown platform '${String(p)}'`,
        origin,
        `use one of ${PLATFORMS.join(', ')}`,
      )
    }
  }
  return Object.freeze([...new Set(listed)].sort())
}
