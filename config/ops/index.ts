// Operations of the config: pre-flight, validation, maintenance, reporting and the orchestrate SLS.
// Call operations() at the end of the config: validation and reports are derived from what it declared.
import { declaredProfiles, declaredSls, layer, type SlsHandle } from 'salt-dsl'
import { declared } from './derive.ts'
import { maintenanceSls } from './maintenance.ts'
import { installationSls, orchestrateSls } from './orchestrate.ts'
import { preflightSls } from './preflight.ts'
import { reportingSls } from './reporting.ts'
import { OPS_DEFAULTS } from './schema.ts'
import { validationSls } from './validation.ts'

export type { OpsPillar, OpsView } from './schema.ts'
export { OPS_DEFAULTS, opsSchema } from './schema.ts'

export interface OperationsOptions {
  /** Minions the orchestrate steps target (default `*`, matched as a glob). */
  readonly target?: string
  readonly targetType?: 'glob' | 'compound' | 'list' | 'grain' | 'pillar'
  /** Write `OPS_DEFAULTS` as the pillar layer `defaults/ops` (default true; false when the config writes its own). */
  readonly defaultsLayer?: boolean
}

export interface Operations {
  /** For the highstate, first: checks that stop the run when one fails. */
  readonly preflight: SlsHandle
  /** For the highstate, last (or on demand): read-only checks of everything declared. */
  readonly validation: SlsHandle
  /** On demand or from cron, not in the highstate: upgrades, cleanup, backups. */
  readonly maintenance: SlsHandle
  /** After an apply, not in the highstate: JSON reports in `ops:reports:dir`. */
  readonly reporting: SlsHandle
  /** For `salt-run state.orchestrate orchestrate` on a master; never in a top file. */
  readonly orchestrate: SlsHandle
  /** Every SLS by name (`validation.packages`, `orchestrate.pre_flight`, ...). */
  readonly modules: Readonly<Record<string, SlsHandle>>
}

/**
 * Declares the ops SLS modules, derived from the states declared so far (call it last).
 * @example
 * const ops = operations()
 * profile('minimal', { sls: [ops.preflight, core, shell, ops.validation] })
 */
export function operations(opts: OperationsOptions = {}): Operations {
  if (opts.defaultsLayer !== false) layer('defaults/ops', { ops: OPS_DEFAULTS })
  const configSls = new Set(declaredSls())
  const found = declared()
  const profiles = declaredProfiles()
  const preflight = preflightSls(
    found,
    profiles.map((p) => p.name),
  )
  const v = validationSls(found)
  const m = maintenanceSls(found)
  const r = reportingSls(found)
  const o = orchestrateSls({
    target: opts.target ?? '*',
    targetType: opts.targetType ?? 'glob',
    installSls: installationSls(found).filter((s) => configSls.has(s)),
    profiles,
  })
  const modules: Record<string, SlsHandle> = { preflight }
  for (const h of [...Object.values(v), ...Object.values(m), ...Object.values(r), ...Object.values(o)])
    modules[h.name] = h
  return {
    preflight,
    validation: v.all,
    maintenance: m.all,
    reporting: r.all,
    orchestrate: o.init,
    modules: Object.freeze(modules),
  }
}
