import { parseTarget } from './fleet-target.ts'
import type { SlsHandle } from './handle.ts'
import type {
  FleetNode,
  InventoryNode,
  MachineNode,
  Origin,
  ProfileNode,
  SshTargetNode,
  Value,
} from './ir.ts'
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
  /**
   * How salt-dsl reaches the machine: `local` (salt-call on the machine itself, the default), `master` (a
   * minion of the fleet's salt-master) or `ssh` (salt-ssh, with `ssh` saying where).
   */
  readonly via?: 'local' | 'master' | 'ssh'
  /** For `via: 'ssh'`: where salt-ssh connects (its roster entry); `user` defaults to root. */
  readonly ssh?: {
    readonly host: string
    readonly port?: number
    readonly user?: string
    /** Run Salt through sudo (a non-root user). */
    readonly sudo?: boolean
    /** The private key to connect with (else salt-ssh's own key). */
    readonly priv?: string
  }
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
  /** The fleet's salt-master: what `dsl build` writes to `out/master.d/` and `dsl publish` serves. */
  readonly fleet?: {
    /** Where `dsl publish` keeps the generations the master serves (default `/srv/salt-dsl`). */
    readonly publishRoot?: string
    /**
     * Operators (users on the master) and the targets each may apply to (`profile=minimal`,
     * `machine=ubuntu-desk`, `*`): the master's `publisher_acl`, over machines of the inventory only.
     */
    readonly operators?: Readonly<Record<string, readonly string[]>>
    /**
     * A drift check on every machine reached via the master: Salt's scheduler (from the pillar) runs
     * `state.apply test=True` `every` `'90s'`, `'15m'`, `'1h'` or `'1d'` and returns to the master's job
     * cache, where `dsl fleet status` reads the last check of each machine.
     */
    readonly driftCheck?: { readonly every: string }
  }
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
    // a JavaScript caller, or a config that does not type-check yet, can leave these out: say so, not crash
    if (typeof m.environment !== 'string' || m.environment === '')
      addIssue(
        'DSL4014',
        `machine '${id}' has no environment`,
        origin,
        "give it one, e.g. environment: 'personal' (the layer environments/<name>)",
      )
    if (m.profile === null || typeof m.profile !== 'object' || typeof m.profile.name !== 'string')
      addIssue(
        'DSL4014',
        `machine '${id}' has no profile`,
        origin,
        "give it one: profile: profile('name', { sls: [...] })",
      )
    // grains are plain data: no lookup has anything to resolve against
    const where = `grains of '${id}'`
    const grains = (toValue(m.grains ?? {}, origin, where, MAX_DEPTH, false) ?? {}) as Record<string, Value>
    const reach = reachOf(id, m, origin)
    return Object.freeze({
      kind: 'machine',
      id,
      platform: m.platform,
      environment: typeof m.environment === 'string' ? m.environment : '',
      profile: typeof m.profile?.name === 'string' ? m.profile.name : '',
      users: Object.freeze([...(m.users ?? [])]),
      grains,
      ...reach,
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
    ...(spec.fleet === undefined ? {} : { fleet: fleetOf(spec.fleet, origin) }),
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

const VIAS = ['local', 'master', 'ssh']

/** A machine's `via` and roster entry, checked: an ssh machine needs a host, only an ssh machine has one. */
function reachOf(
  id: string,
  m: MachineSpec,
  origin: Origin,
): { via?: NonNullable<MachineNode['via']>; ssh?: SshTargetNode } {
  if (m.via === undefined && m.ssh === undefined) return {}
  const via = m.via ?? 'local'
  if (!VIAS.includes(via)) {
    addIssue(
      'DSL4013',
      `machine '${id}': unknown via '${String(via)}'`,
      origin,
      `use one of ${VIAS.join(', ')}`,
    )
    return {}
  }
  if (via !== 'ssh') {
    if (m.ssh !== undefined)
      addIssue(
        'DSL4013',
        `machine '${id}': ssh settings on a machine reached via '${via}'`,
        origin,
        "set via: 'ssh' or drop ssh",
      )
    return { via }
  }
  const ssh = m.ssh
  if (ssh === undefined || typeof ssh.host !== 'string' || ssh.host === '') {
    addIssue(
      'DSL4013',
      `machine '${id}': via 'ssh' without a host`,
      origin,
      "add ssh: { host: 'name or address' }",
    )
    return { via }
  }
  if (ssh.port !== undefined && !(Number.isInteger(ssh.port) && ssh.port > 0 && ssh.port < 65536))
    addIssue(
      'DSL4013',
      `machine '${id}': ssh port ${String(ssh.port)} is not a port`,
      origin,
      'use a whole number from 1 to 65535',
    )
  const node: SshTargetNode = Object.freeze({
    host: ssh.host,
    ...(ssh.port === undefined ? {} : { port: ssh.port }),
    ...(ssh.user === undefined ? {} : { user: ssh.user }),
    ...(ssh.sudo === undefined ? {} : { sudo: ssh.sudo }),
    ...(ssh.priv === undefined ? {} : { priv: ssh.priv }),
  })
  return { via, ssh: node }
}

const OPERATOR_RE = /^[a-z_][a-z0-9_.-]*$/

/** The fleet settings, checked: operators are user names, their targets parse. */
function fleetOf(fleet: NonNullable<InventorySpec['fleet']>, origin: Origin): FleetNode {
  const operators: Record<string, readonly string[]> = {}
  for (const [user, targets] of Object.entries(fleet.operators ?? {})) {
    if (!OPERATOR_RE.test(user))
      addIssue(
        'DSL4013',
        `operator '${user}' is not a user name`,
        origin,
        'use a login name on the master: a-z, 0-9, _, . and -',
      )
    for (const t of targets) {
      const parsed = parseTarget(t)
      if ('problem' in parsed)
        addIssue('DSL4013', `operator '${user}': ${parsed.problem}`, origin, "e.g. 'profile=minimal'")
    }
    operators[user] = Object.freeze([...targets])
  }
  const publishRoot = fleet.publishRoot ?? '/srv/salt-dsl'
  if (!publishRoot.startsWith('/'))
    addIssue(
      'DSL4013',
      `fleet publishRoot '${publishRoot}' is not an absolute path`,
      origin,
      'the master reads it: give an absolute path',
    )
  const driftCheck = fleet.driftCheck === undefined ? undefined : driftCheckOf(fleet.driftCheck, origin)
  return Object.freeze({
    publishRoot,
    operators: Object.freeze(operators),
    ...(driftCheck === undefined ? {} : { driftCheck }),
  })
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 }

/** `'1h'` → 3600 seconds: Salt's scheduler takes whole seconds. */
function driftCheckOf(check: { readonly every: string }, origin: Origin): { seconds: number } | undefined {
  const m = /^([1-9][0-9]*)([smhd])$/.exec(String(check.every))
  if (m === null) {
    addIssue(
      'DSL4013',
      `fleet driftCheck every '${check.every}' is not a duration`,
      origin,
      "a whole number and a unit: '90s', '15m', '1h', '1d'",
    )
    return undefined
  }
  return Object.freeze({ seconds: Number(m[1]) * UNIT_SECONDS[m[2]!]! })
}
