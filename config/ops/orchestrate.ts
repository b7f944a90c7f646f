// Orchestrate SLS for a salt-master (`salt-run state.orchestrate orchestrate`): the phases as salt.state steps.
import { type DeclaredProfile, type SlsHandle, type StateHandle, sls, state } from 'salt-dsl'
import type { Declared } from './derive.ts'

export interface OrchestrateOptions {
  /** Minions to run on (default `*`), and how `target` matches (default `glob`). */
  readonly target: string
  readonly targetType: string
  /** The SLS modules that install packages, by name. */
  readonly installSls: readonly string[]
  /** Names of the validation modules a profile may list (`validation.<module>`, `validation.host`, ...). */
  readonly validationSls: ReadonlySet<string>
  readonly profiles: readonly DeclaredProfile[]
}

type Phase = 'pre_flight' | 'installation' | 'configuration' | 'validation' | 'cleanup'

/** The orchestrate SLS modules: `init` (`orchestrate`) includes every phase in order. */
export type Orchestration = Readonly<Record<Phase | 'init', SlsHandle>>

/** The SLS modules of the config that declare package-family states (pkg, pkgrepo, archive, git). */
export function installationSls(found: Declared): string[] {
  return [...new Set(found.packages.map((t) => t.state.sls))]
}

export function orchestrateSls(o: OrchestrateOptions): Orchestration {
  const base = { tgt: o.target, tgt_type: o.targetType, failhard: true }
  const step = (id: string, args: Record<string, unknown>, after: readonly StateHandle[]) =>
    state('salt.state', { id, ...base, ...args, require: [...after] })
  let last: StateHandle[] = []
  const phase = (name: Phase, body: () => StateHandle[]) =>
    sls(`orchestrate.${name}`, () => {
      const handles = body()
      if (handles.length > 0) last = handles
    })
  const pre_flight = phase('pre_flight', () => [step('orchestrate: pre-flight', { sls: ['preflight'] }, [])])
  /** One step per profile running the modules `pick` keeps of its list (one step for all without profiles). */
  const perProfile = (verb: string, pick: (sls: readonly string[] | undefined) => string[]) => {
    const after = last
    const groups = o.profiles.length > 0 ? o.profiles : [undefined]
    return groups.flatMap((profile) => {
      const mods = pick(profile?.sls)
      if (mods.length === 0) return []
      const id = profile === undefined ? `orchestrate: ${verb}` : `orchestrate: ${verb} ${profile.name}`
      const tgt = profile === undefined ? {} : { tgt: profileTarget(profile), tgt_type: 'compound' }
      return [step(id, { sls: mods, ...tgt }, after)]
    })
  }
  const installation = phase('installation', () =>
    perProfile('install', (mods) => {
      const own = o.installSls.filter((m) => mods === undefined || mods.includes(m))
      return own.length === 0 ? [] : ['preflight', ...own]
    }),
  )
  const configuration = phase('configuration', () => [
    step('orchestrate: configure', { highstate: true }, last),
  ])
  // as in the highstate: each profile's machines run the validation modules the profile lists; when no
  // profile lists any (the config's top adds them), one step validates the whole tree
  const validating = o.profiles.some((p) => p.sls.some((m) => o.validationSls.has(m)))
  const validation = phase('validation', () => {
    const checked = validating
      ? perProfile('validate', (mods) => (mods ?? []).filter((m) => o.validationSls.has(m)))
      : [step('orchestrate: validate', { sls: ['validation'] }, last)]
    return [step('orchestrate: report', { sls: ['reporting'] }, checked.length > 0 ? checked : last)]
  })
  const cleanup = phase('cleanup', () => [
    step('orchestrate: clean up', { sls: ['maintenance.cleanup'] }, last),
  ])
  const init = sls('orchestrate', () => {}, {
    doc: 'Every phase in order: pre-flight, installation, configuration, validation (+ reports), cleanup.',
    include: [pre_flight, installation, configuration, validation, cleanup],
  })
  return { pre_flight, installation, configuration, validation, cleanup, init }
}

/** The machines of a profile: the inventory's, and any minion whose onboarding set the profile grain. */
function profileTarget(profile: DeclaredProfile): string {
  const grain = `G@dsl:profile:${profile.name}`
  return profile.machines.length > 0 ? `L@${profile.machines.join(',')} or ${grain}` : grain
}
