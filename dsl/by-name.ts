// A requisite that names its state by the state's `name` instead of its ID: Salt finds a requisite's target
// by either (salt/utils/requisite.py `add_dependency`, state.py `find_name` for the `_in` forms), and a
// hand-written tree often uses the name. The edge is the handle's all the same: ordering, cycles, includes
// and the binding check (DSL3062) see the state it names.
import type { StateHandle } from './handle.ts'

const BY_NAME: unique symbol = Symbol.for('salt-dsl.by-name') as never

/** What `byName()` returns: a requisite target written as `- <module>: <its name>`. */
export interface ByName {
  readonly [BY_NAME]: StateHandle | (() => StateHandle)
}

/**
 * The state `ref` names, written in the requisite by its `name` argument rather than its ID (as Salt
 * allows). The name must be a literal string that no other state of the module carries as its ID or name.
 * @example
 * const ntp = service('ntp', { name: 'ntpd' })
 * file('/etc/ntp.conf', { source: 'files/ntp.conf', watch_in: [byName(ntp)] })
 * // - watch_in:
 * //   - service: ntpd
 */
export function byName(ref: StateHandle | (() => StateHandle)): ByName {
  return Object.freeze({ [BY_NAME]: ref })
}

/** The handle (or thunk) inside a `byName()`, undefined for anything else. */
export function byNameTarget(value: unknown): unknown {
  return value !== null && typeof value === 'object' && BY_NAME in value
    ? (value as ByName)[BY_NAME]
    : undefined
}
