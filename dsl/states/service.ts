import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'

export interface ServiceOptions extends CommonOptions {
  /** `running` (default) or `dead`. */
  readonly ensure?: 'running' | 'dead'
  /** Start at boot (`true`), never (`false`), or leave as it is (omitted). */
  readonly enable?: boolean
  /** Reload instead of restart when a watched state changes. */
  readonly reload?: boolean
}

/**
 * A system service.
 * @example
 * service('ssh', { enable: true, watch: [sshdConfig] })
 * // ssh:
 * //   service.running:
 * //     - enable: true
 * //     - watch:
 * //       - file: /etc/ssh/sshd_config
 */
export function service(name: string, options: ServiceOptions = {}): StateHandle<'service'> {
  const origin = callSite(service)
  const { own, common } = splitOptions(options)
  const { ensure = 'running', ...rest } = own
  return declareState({
    module: 'service',
    fun: ensure,
    id: stateId(name, common),
    args: { name, ...rest },
    options: common,
    origin,
  })
}
