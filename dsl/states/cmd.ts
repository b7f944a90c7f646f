import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'
import type { SaltArgs, Val } from './salt-args.ts'

interface CmdOwn {
  /** Skip when this command succeeds. */
  readonly unless?: Val<string | readonly string[]>
  /** Run only when this command succeeds. */
  readonly onlyif?: Val<string | readonly string[]>
  /** Skip when this path exists. */
  readonly creates?: Val<string | readonly string[]>
  readonly cwd?: Val<string>
  readonly runas?: Val<string>
  readonly env?: Val<Readonly<Record<string, string>>>
  readonly shell?: Val<string>
  readonly timeout?: Val<number>
  /** Only report changes when the command prints `changed=yes` (Salt's stateful protocol). */
  readonly stateful?: Val<boolean>
  /** Exit codes besides 0 that count as success. */
  readonly success_retcodes?: Val<readonly number[]>
}

/** `cmd()`: `cmd.run`'s arguments. */
export type CmdOptions = CommonOptions & CmdOwn & SaltArgs<'cmd.run', CmdOwn>

/**
 * A command. Give it `unless`, `onlyif` or `creates`, or it runs (and reports a change) on every apply.
 * @example
 * cmd('rustup default stable', { creates: '/root/.cargo/bin/rustc' })
 * // rustup default stable:
 * //   cmd.run:
 * //     - creates: /root/.cargo/bin/rustc
 */
export function cmd(command: string, options: CmdOptions = {}): StateHandle<'cmd'> {
  const origin = callSite(cmd)
  const { own, common } = splitOptions(options)
  return declareState({
    module: 'cmd',
    fun: 'run',
    id: stateId(command, common),
    args: { name: command, ...own },
    options: common,
    origin,
  })
}
