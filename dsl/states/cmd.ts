import type { StateHandle } from '../handle.ts'
import { callSite } from '../origin.ts'
import { type CommonOptions, declareState, splitOptions, stateId } from '../state.ts'

export interface CmdOptions extends CommonOptions {
  /** Skip when this command succeeds. */
  readonly unless?: string | readonly string[]
  /** Run only when this command succeeds. */
  readonly onlyif?: string | readonly string[]
  /** Skip when this path exists. */
  readonly creates?: string | readonly string[]
  readonly cwd?: string
  readonly runas?: string
  readonly env?: Readonly<Record<string, string>>
  readonly shell?: string
  readonly timeout?: number
  /** Only report changes when the command prints `changed=yes` (Salt's stateful protocol). */
  readonly stateful?: boolean
}

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
