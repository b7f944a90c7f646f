// A check: a state that fails with a clear message unless its test passes, and never reports changes.
import { type CommonOptions, type StateHandle, state } from 'salt-dsl'

/** A Salt run-time test: a shell command, or an execution function (`{ fun, args, kwargs }`) whose result is truthy. */
export type Test =
  | string
  | {
      readonly fun: string
      readonly args?: readonly unknown[]
      readonly kwargs?: Readonly<Record<string, unknown>>
    }

/** Jinja, rendered by the test itself at run time: `True` when every name of `names` is installed. */
const ALL_INSTALLED = "{{ names | reject('in', salt['pkg.list_pkgs']()) | list | length == 0 }}"

/**
 * Every package of `names` (a lookup of a list) is installed: the list is only known when Salt runs, so
 * the test renders a Jinja expression over it (`slsutil.renderer`) against `pkg.list_pkgs`.
 */
export const allInstalled = (names: unknown): Test => ({
  fun: 'slsutil.renderer',
  kwargs: { string: ALL_INSTALLED, default_renderer: 'jinja|yaml', names },
})

export interface CheckSpec extends CommonOptions {
  readonly id: string
  /** Shown when the check fails. */
  readonly message: string
  /** Every test must pass (Salt's `unless`). */
  readonly pass: readonly Test[]
  /** Only check when every one of these holds, e.g. the tool exists (Salt's `onlyif`). */
  readonly when?: readonly Test[]
  /**
   * Checks what the apply makes (validation): under `test=True` a failing check is pending, result `None`
   * ("to be executed"), not a failure, since the apply it previews would create what it looks for.
   */
  readonly afterApply?: boolean
}

/**
 * `test.configurable_test_state` failing with `message`, skipped (result true, no changes) when every test
 * in `pass` holds. Salt runs `unless` in test mode too, so `test=True` predicts the real outcome (but for
 * an `afterApply` check, which is pending there: see `CheckSpec.afterApply`).
 * @example
 * check({ id: 'pkg git', message: 'git is not installed', pass: [{ fun: 'pkg.version', args: ['git'] }] })
 */
export function check(spec: CheckSpec): StateHandle {
  const { message, pass, when, afterApply = false, ...common } = spec
  const guards: Record<string, unknown> = pass.length > 0 ? { unless: pass.map(test) } : {}
  if (when !== undefined && when.length > 0) guards.onlyif = when.map(test)
  if (afterApply) {
    // module.run is the one state Salt reports as None without changes under test=True; for real it calls
    // test.kwarg, whose `result: False` fails the state with `message` as the comment
    return state('module.run', {
      'test.kwarg': [{ result: false }, { comment: message }],
      ...guards,
      ...common,
    })
  }
  return state('test.configurable_test_state', {
    result: false,
    changes: false,
    comment: message,
    allow_test_mode_failure: true,
    ...guards,
    ...common,
  })
}

/** A shell test may be a `text` lookup (an object at run time): only a `{ fun }` map is a function call. */
function test(t: Test): unknown {
  const call = t as Exclude<Test, string> | { readonly fun?: undefined }
  if (typeof call.fun !== 'string') return t
  return { fun: call.fun, args: call.args ?? [], ...call.kwargs }
}
