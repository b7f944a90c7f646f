import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface ServiceOwn {
  /** Start at boot (`true`), never (`false`), or leave as it is (omitted). */
  readonly enable?: Val<boolean>
  /** Reload instead of restart when a watched state changes. */
  readonly reload?: Val<boolean>
}

/** `service()` with `ensure: 'running'` (the default): `service.running`'s arguments. */
export type ServiceRunningOptions = CommonOptions &
  ServiceOwn & { readonly ensure?: 'running' } & SaltArgs<'service.running', ServiceOwn>

/** `service()` with `ensure: 'dead'`: `service.dead`'s arguments. */
export type ServiceDeadOptions = CommonOptions & {
  readonly ensure: 'dead'
  readonly enable?: Val<boolean>
} & SaltArgs<'service.dead', { enable: unknown }>

export type ServiceOptions = ServiceRunningOptions | ServiceDeadOptions

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
