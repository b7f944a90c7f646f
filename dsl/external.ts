// Typed handles on states of hand-written Salt (a `saltDir()`), for requisites and `extend`.
import type { SlsHandle, StateHandle } from './handle.ts'
import { HANDLE } from './handle.ts'
import { callSite } from './origin.ts'
import { type StateDraft, session } from './session.ts'
import { declareState } from './state.ts'

/**
 * A state of hand-written Salt: SLS `sls` (a name, or a handle from `saltDir()`), state module `module`,
 * ID `id`. A requisite on it emits `- <module>: <id>` and includes its SLS; `dsl check --salt` reports an
 * ID that Salt's render of a machine does not have (DSL4061).
 * @example
 * const nginxService = external('nginx.service', 'service', 'nginx')
 * file('/etc/nginx/conf.d/site.conf', { source: 'files/site.conf', watch_in: [nginxService] })
 * // - watch_in:
 * //   - service: nginx
 */
export function external<const M extends string>(
  sls: string | SlsHandle,
  module: M,
  id: string,
): StateHandle<M> {
  const origin = callSite(external)
  const s = session()
  const name = typeof sls === 'string' ? sls : sls.name
  const outer = s.current
  const when = s.when.splice(0)
  // recorded as a state of its own SLS (which no sls() declares, so nothing emits it), under no condition
  s.current = Object.freeze({ kind: 'sls', name, doc: undefined, includes: [], origin })
  try {
    const handle = declareState({ module, fun: '', id, args: {}, options: {}, origin, unchecked: true })
    ;(handle[HANDLE] as StateDraft).external = true
    return handle
  } finally {
    s.current = outer
    s.when.push(...when)
  }
}
