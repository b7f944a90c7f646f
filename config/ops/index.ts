// Operations of the config: pre-flight, validation, maintenance, reporting and the orchestrate SLS.
// Call operations() after the config's states (validation and reports are derived from them), list its
// modules in the profiles, then call finish() once the profiles and the inventory are declared.
import { declaredProfiles, declaredSls, layer, type SlsHandle } from 'salt-dsl'
import { type BaselineOptions, securityBaseline } from './baseline.ts'
import { declared } from './derive.ts'
import { maintenanceSls } from './maintenance.ts'
import { installationSls, type Orchestration, orchestrateSls } from './orchestrate.ts'
import { preflightSls } from './preflight.ts'
import { reportingSls } from './reporting.ts'
import { OPS_DEFAULTS } from './schema.ts'
import { validationSls } from './validation.ts'

export type { Orchestration } from './orchestrate.ts'
export type { OpsPillar, OpsView } from './schema.ts'
export { OPS_DEFAULTS, opsSchema } from './schema.ts'

export interface OperationsOptions {
  /**
   * Names of the profiles the pre-flight accepts. Default: the profiles declared so far; give them when
   * the profiles are declared after operations() (their SLS lists hold its handles).
   */
  readonly profiles?: readonly string[]
  /** Minions the orchestrate steps target (default `*`, matched as a glob). */
  readonly target?: string
  readonly targetType?: 'glob' | 'compound' | 'list' | 'grain' | 'pillar'
  /** Write `OPS_DEFAULTS` as the pillar layer `defaults/ops` (default true; false when the config writes its own). */
  readonly defaultsLayer?: boolean
  /** What the security baseline enforces besides reporting (default: nothing, every rule reported). */
  readonly baseline?: BaselineOptions
}

export interface Operations {
  /** For the highstate, first: checks that stop the run when one fails. */
  readonly preflight: SlsHandle
  /** On demand: read-only checks of everything declared in the tree (`validation.<family>` per family). */
  readonly validation: SlsHandle
  /**
   * For the highstate, after `modules`: the validation of exactly those modules (`validation.<module>`
   * of each that declares something to check) and of the host.
   */
  validationFor(modules: readonly SlsHandle[]): SlsHandle[]
  /** On demand or from cron, not in the highstate: upgrades, cleanup, backups. */
  readonly maintenance: SlsHandle
  /** After an apply (last in the highstate, or on demand): JSON reports in `ops:reports:dir`. */
  readonly reporting: SlsHandle
  /** The security baseline (`compliance.baseline`): rules reported per apply, shown by `dsl dashboard`. */
  readonly baseline: SlsHandle
  /** Every SLS declared so far by name (`validation.packages`, `reporting.inventory`, ...). */
  readonly modules: Readonly<Record<string, SlsHandle>>
  /**
   * Declares the orchestrate SLS (`salt-run state.orchestrate orchestrate` on a master; never in a top
   * file) from the profiles and machines declared by now: call once, after `inventory()`.
   */
  finish(): Orchestration
}

/**
 * Declares the ops SLS modules, derived from the states declared so far (call it after them).
 * @example
 * const ops = operations({ profiles: ['minimal'] })
 * profile('minimal', { sls: [ops.preflight, core, shell, ...ops.validationFor([core, shell]), ops.reporting] })
 * inventory({ machines })
 * ops.finish()
 */
export function operations(opts: OperationsOptions = {}): Operations {
  if (opts.defaultsLayer !== false) layer('defaults/ops', { ops: OPS_DEFAULTS })
  const configSls = declaredSls()
  const found = declared()
  const known = opts.profiles ?? declaredProfiles().map((p) => p.name)
  const preflight = preflightSls(found, known)
  const v = validationSls(found, configSls)
  const m = maintenanceSls(found)
  const r = reportingSls(found)
  const baseline = securityBaseline(undefined, opts.baseline)
  const modules: Record<string, SlsHandle> = { preflight }
  const add = (hs: Iterable<SlsHandle>) => {
    for (const h of hs) modules[h.name] = h
  }
  const validationModules = [v.all, v.host, ...Object.values(v.families), ...v.byModule.values()]
  add(validationModules)
  add([...Object.values(m), ...Object.values(r), baseline])
  const validationFor = (mods: readonly string[]) => [
    ...mods.flatMap((name) => {
      const own = v.byModule.get(name)
      return own === undefined ? [] : [own]
    }),
    v.host,
  ]
  let finished: Orchestration | undefined
  return {
    preflight,
    validation: v.all,
    validationFor: (mods) => validationFor(mods.map((h) => h.name)),
    maintenance: m.all,
    reporting: r.all,
    baseline,
    modules,
    finish() {
      // once per run of the config: `finished` may come from an earlier run (watch mode replays the module
      // that made this object, while the one calling finish() runs again), whose SLS this run lacks
      if (finished !== undefined && declaredSls().includes(finished.init.name)) return finished
      const profiles = declaredProfiles()
      const unknown = profiles.map((p) => p.name).filter((n) => !known.includes(n))
      if (unknown.length > 0)
        throw new Error(
          `operations(): profile ${unknown.join(', ')} is declared but not in the pre-flight's list (${known.join(', ')}): add it to operations({ profiles })`,
        )
      const installable = new Set(configSls)
      finished = orchestrateSls({
        target: opts.target ?? '*',
        targetType: opts.targetType ?? 'glob',
        installSls: installationSls(found).filter((s) => installable.has(s)),
        validationSls: new Set(validationModules.map((h) => h.name)),
        profiles,
      })
      add(Object.values(finished))
      return finished
    },
  }
}
