import type { ByName } from './by-name.ts'
/** Marks a state handle; `Symbol.for` so copies of this module in different bundles agree. */
export const HANDLE: unique symbol = Symbol.for('salt-dsl.handle') as never
/** Marks an SLS handle. */
export const SLS: unique symbol = Symbol.for('salt-dsl.sls') as never

/** What a builder returns: a reference to one declared state, for requisites. */
export interface StateHandle<Module extends string = string> {
  /** The recorded state (opaque to configs). */
  readonly [HANDLE]: object
  /** The state ID in the emitted SLS. */
  readonly id: string
  /** The Salt state module, e.g. `pkg`. */
  readonly module: Module
  /** The SLS the state lives in, e.g. `dev.git`. */
  readonly sls: string
}

/** What `sls()` returns: a reference to one SLS module, for `include` and top files. */
export interface SlsHandle {
  readonly [SLS]: string
  readonly name: string
}

/**
 * A requisite target: a state handle, an SLS handle (every state in it, Salt's `- sls: name`), or a thunk
 * returning one (for a state declared further down).
 */
export type Ref = StateHandle | SlsHandle | (() => StateHandle | SlsHandle) | ByName

export function isSlsHandle(value: unknown): value is SlsHandle {
  return value !== null && typeof value === 'object' && SLS in value
}
