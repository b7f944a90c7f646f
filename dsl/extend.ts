// Salt's `extend:`: adds arguments and requisites to a state another SLS declares, without rewriting it.
import { HANDLE, type StateHandle } from './handle.ts'
import { callSite } from './origin.ts'
import { addIssue, type StateDraft, session } from './session.ts'
import { declareState, type Requisites, splitOptions } from './state.ts'

/** What `extend()` adds: arguments of the state's function (replacing its own) and requisites (appended). */
export type ExtendArgs = Requisites & { readonly [arg: string]: unknown }

/**
 * Extends a state of another SLS (one of yours, or `external()` hand-written Salt), emitted as Salt's
 * `extend:` in the current SLS, which includes the other one. Arguments replace the state's own;
 * requisites are added to its lists.
 * @example
 * extend(nginx.service, { watch: [siteConf] })
 * // extend:
 * //   nginx:
 * //     service:
 * //       - watch:
 * //         - file: /etc/nginx/sites-enabled/site.conf
 */
export function extend(target: StateHandle, args: ExtendArgs): void {
  const origin = callSite(extend)
  const s = session()
  const node = (target as { [HANDLE]?: StateDraft } | undefined)?.[HANDLE]
  if (node === undefined || node.kind !== 'state') {
    addIssue('DSL1072', 'extend() takes a state handle (from a builder or external())', origin)
    return
  }
  if (s.when.length > 0) {
    const hint = 'declare the extend outside when(), or put the condition on the state itself'
    addIssue('DSL1072', `extend('${target.id}') is inside when()`, origin, hint)
    return
  }
  if (s.current !== undefined && node.sls === s.current.name) {
    const hint = 'give the arguments to the state itself'
    addIssue('DSL1072', `extend('${target.id}'): the state is declared in this SLS`, origin, hint)
  }
  const { own, common } = splitOptions(args)
  const { id, order, failhard, ...requisites } = common
  if (id !== undefined || order !== undefined || failhard !== undefined)
    addIssue('DSL1072', `extend('${target.id}'): id, order and failhard cannot be extended`, origin)
  const handle = declareState({
    module: node.module,
    fun: node.fun,
    id: node.id,
    args: own,
    options: requisites,
    origin,
    unchecked: node.unchecked === true || node.fun === '',
  })
  const draft = handle[HANDLE] as StateDraft
  draft.extends = node.sls
}
