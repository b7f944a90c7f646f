// Config code the compiler calls after the run: a requisite thunk when the program is finished, a zod
// refinement or transform of the pillar schema when each machine's pillar is checked. It is the
// config's code all the same: its throw or exit is a diagnostic at its line (not a compiler bug, exit
// 2), and an endless loop in it is stopped by the load's timeout.
import { Script } from 'node:vm'
import { type Diagnostic, error } from '../diagnostics.ts'
import { firstConfigFrame } from './config-frames.ts'
import { ConfigExit, exitDiagnostics } from './exit-guard.ts'

/** How long user code may run (`DSL_LOAD_TIMEOUT_MS`, default 60 s), in the run and after it. */
export function loadTimeoutMs(): number {
  const ms = Number(process.env.DSL_LOAD_TIMEOUT_MS)
  return Number.isFinite(ms) && ms > 0 ? ms : 60_000
}

const LATE = Symbol.for('salt-dsl.late')
let lateScript: Script | undefined

/**
 * Runs `fn` (a stage that may call the config's code back) within the load's timeout. Its value, or
 * the config's failure in it as diagnostics; a throw that is not the config's is rethrown (a bug).
 * The stage is stopped where it was: what it kept for the next compile (a watch's caches) must go.
 */
export function runLate<T>(fn: () => T): { value: T } | { diagnostics: Diagnostic[] } {
  const holder = globalThis as { [LATE]?: () => T }
  holder[LATE] = fn
  lateScript ??= new Script(`globalThis[Symbol.for('salt-dsl.late')]()`, { filename: 'salt-dsl:late' })
  let value: T
  try {
    value = lateScript.runInThisContext({ timeout: loadTimeoutMs(), displayErrors: false }) as T
  } catch (thrown) {
    return { diagnostics: lateThrowDiagnostics(thrown) }
  } finally {
    delete holder[LATE]
  }
  // an exit the config tried in such a callback, and caught
  const exits = exitDiagnostics()
  return exits.length > 0 ? { diagnostics: exits } : { value }
}

/** A throw out of a stage that the config's own code raised, as diagnostics; anything else is rethrown. */
function lateThrowDiagnostics(thrown: unknown): Diagnostic[] {
  const exits = exitDiagnostics()
  if (thrown instanceof ConfigExit) return exits
  if ((thrown as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    const message = `the config's code the compiler called after the run did not finish within ${loadTimeoutMs() / 1000} s`
    return [
      ...exits,
      error('DSL1040', message, undefined, {
        hint: 'look for an endless loop in a requisite thunk or a refinement of the pillar schema; DSL_LOAD_TIMEOUT_MS raises the limit',
      }),
    ]
  }
  const stack = thrown instanceof Error ? (thrown.stack ?? '') : ''
  const origin = firstConfigFrame(stack)
  // a value thrown that is not an Error has no stack: it can only come from the config
  if (origin === undefined && thrown instanceof Error) {
    if (exits.length > 0) return exits
    throw thrown
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  return [
    ...exits,
    error('DSL1031', `the config threw when the compiler used a value it gave: ${message}`, origin, {
      hint: 'a callback, getter or thunk of the config ran after the config itself and threw',
    }),
  ]
}
