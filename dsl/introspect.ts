/**
 * Read-only views of what the config has declared so far, for modules that derive states from the rest of
 * the config (validation, reports). Snapshots: later declarations do not show up in an earlier result.
 */
import { HANDLE, type StateHandle } from './handle.ts'
import type { Args, Cond } from './ir.ts'
import { session } from './session.ts'

/** One state recorded so far. */
export interface DeclaredState {
  readonly id: string
  /** The Salt state module, e.g. `pkg`. */
  readonly module: string
  /** The state function, e.g. `installed`. */
  readonly fun: string
  /** Arguments by name, in emission order (requisites excluded). */
  readonly args: Args
  readonly sls: string
  /** The `when()` conditions (outermost first) the state was declared under. */
  readonly when: readonly Cond[]
  /** A handle for requisites on this state. */
  readonly handle: StateHandle
}

/** A profile recorded so far: its name and SLS modules. */
export interface DeclaredProfile {
  readonly name: string
  readonly sls: readonly string[]
  /** Minion ids of the inventory machines that use it (empty before `inventory()`). */
  readonly machines: readonly string[]
}

/**
 * Every state declared so far, in declaration order.
 * @example
 * declaredStates().filter((s) => s.module === 'pkg').map((s) => s.id) // ['core-tools', 'zsh']
 */
export function declaredStates(): readonly DeclaredState[] {
  const out = session().states.map((s) =>
    Object.freeze({
      id: s.id,
      module: s.module,
      fun: s.fun,
      args: s.args,
      sls: s.sls,
      when: s.when,
      handle: Object.freeze({ [HANDLE]: s, id: s.id, module: s.module, sls: s.sls }),
    }),
  )
  return Object.freeze(out)
}

/**
 * Every profile declared so far, with the machines of the inventory that use it.
 * @example
 * declaredProfiles().map((p) => p.name) // ['minimal', 'development']
 */
export function declaredProfiles(): readonly DeclaredProfile[] {
  const s = session()
  const machines = s.pillar.inventory?.machines ?? []
  return Object.freeze(
    s.pillar.profiles.map((p) =>
      Object.freeze({
        name: p.name,
        sls: p.sls,
        machines: Object.freeze(machines.filter((m) => m.profile === p.name).map((m) => m.id)),
      }),
    ),
  )
}

/** Names of the SLS modules declared so far, in declaration order. */
export function declaredSls(): readonly string[] {
  return Object.freeze([...session().sls.keys()])
}
