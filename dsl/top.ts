import type { SlsHandle } from './handle.ts'
import type { Target } from './ir.ts'
import { callSite } from './origin.ts'
import { session } from './session.ts'

/** A target for a top file entry: a minion-id glob, or a grain match. */
export type TargetSpec =
  | string
  | { readonly grain: string; readonly value: string }
  | { readonly compound: string }

function toTarget(spec: TargetSpec): Target {
  if (typeof spec === 'string') return { match: 'glob', pattern: spec }
  if ('grain' in spec) return { match: 'grain', grain: spec.grain, value: spec.value }
  return { match: 'compound', expression: spec.compound }
}

/**
 * Applies SLS modules to the machines a target matches, in the state top file (order is precedence).
 * @example
 * top('*', [base])
 * top({ grain: 'os_family', value: 'Debian' }, [apt])
 * // base:
 * //   '*':
 * //     - base
 * //   'os_family:Debian':
 * //     - match: grain
 * //     - apt
 */
export function top(target: TargetSpec, modules: readonly SlsHandle[]): void {
  const origin = callSite(top)
  session().top.push(
    Object.freeze({
      kind: 'top',
      target: Object.freeze(toTarget(target)),
      sls: Object.freeze(modules.map((m) => m.name)),
      origin,
    }),
  )
}
