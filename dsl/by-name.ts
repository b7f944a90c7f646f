// A requisite that names its state by the state's `name` instead of its ID: Salt finds a requisite's target
// by either (salt/utils/requisite.py `add_dependency`, state.py `find_name` for the `_in` forms), and a
// hand-written tree often uses the name. The edge is the handle's all the same: ordering, cycles, includes
// and the binding check (DSL3062) see the state it names.
import type { StateHandle } from './handle.ts'

const BY_NAME: unique symbol = Symbol.for('salt-dsl.by-name') as never

/** What `byName()` returns: a requisite target written as `- <module>: <its name>`. */
export interface ByName {
  readonly [BY_NAME]: readonly (StateHandle | (() => StateHandle))[]
}

/**
 * The state `ref` names, written in the requisite by its `name` argument rather than its ID (as Salt
 * allows). Salt binds every state of the module whose ID or name that is: name them all (`byName(a, b)` when
 * `a` and `b` share the name), and the check (DSL3062) holds the requisite to exactly those.
 * @example
 * const ntp = service('ntpd', { id: 'ntp' })
 * file('/etc/ntp.conf', { source: 'files/ntp.conf', watch_in: [byName(ntp)] })
 * // - watch_in:
 * //   - service: ntpd
 */
export function byName(
  ref: StateHandle | (() => StateHandle),
  ...more: readonly (StateHandle | (() => StateHandle))[]
): ByName {
  return Object.freeze({ [BY_NAME]: Object.freeze([ref, ...more]) })
}

/** The handles (or thunks) inside a `byName()`, undefined for anything else. */
export function byNameTargets(value: unknown): readonly unknown[] | undefined {
  return value !== null && typeof value === 'object' && BY_NAME in value
    ? (value as ByName)[BY_NAME]
    : undefined
}

/** The one handle inside a `byName()` of one state (requisite drafts hold one each), else undefined. */
export function byNameTarget(value: unknown): unknown {
  return byNameTargets(value)?.[0]
}

/** `refs` with each `byName()` of several states as one of each (one requisite per state, one line emitted). */
export function oneByName<T>(refs: readonly T[]): T[] {
  if (!refs.some((r) => (byNameTargets(r)?.length ?? 0) > 1)) return refs as T[]
  return refs.flatMap((r) => {
    const all = byNameTargets(r)
    return all === undefined || all.length < 2
      ? [r]
      : all.map((one) => byName(one as StateHandle) as unknown as T)
  })
}
