import { saltCall } from '../compiler/salt/salt-call.ts'
import { type SaltWorkspace, treeConfig } from './run-salt.ts'

/** One state as Salt compiled it for this machine (`state.show_lowstate`): its rendered arguments. */
export interface LowChunk {
  readonly __id__: string
  readonly __sls__?: string
  /** The state module, `file`. */
  readonly state: string
  /** The function, `managed`. */
  readonly fun: string
  readonly name: string
  readonly [arg: string]: unknown
}

/**
 * The states a stored tree gives this machine, as Salt renders them (Jinja, pillar and grains applied):
 * what a generation put on the machine, read to undo it. Errors give an empty list and the reason.
 */
export async function showLowstate(
  ws: SaltWorkspace,
  o: { readonly python: string; readonly machine: string | undefined; readonly warmNext?: boolean },
): Promise<{ chunks: LowChunk[]; error?: string }> {
  const conf = treeConfig(ws, o, 'lowstate')
  const run = await saltCall({
    python: o.python,
    confDir: conf,
    fun: 'state.show_lowstate',
    ...(o.warmNext ? { warmNext: true } : {}),
  })
  if (!Array.isArray(run.data))
    return { chunks: [], error: `salt-call exited ${run.code} without a lowstate` }
  const chunks = run.data.filter((c): c is LowChunk => c !== null && typeof c === 'object')
  const errors = run.data.filter((c) => typeof c === 'string')
  return errors.length ? { chunks, error: errors.join('; ') } : { chunks }
}
