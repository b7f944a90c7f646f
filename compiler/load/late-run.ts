import { type Diagnostic, error } from '../diagnostics.ts'
import { firstConfigFrame } from './config-frames.ts'
import { ConfigExit, exitDiagnostics } from './exit-guard.ts'

/**
 * A throw out of a later stage that the config's own code raised: a requisite thunk, a getter or a
 * `toString` the compiler called after the run. It is the config's error, at its line, not a bug of the
 * compiler (exit 1, not 2). Anything else is rethrown.
 */
export function lateThrowDiagnostics(thrown: unknown): Diagnostic[] {
  const exits = exitDiagnostics()
  if (thrown instanceof ConfigExit) return exits
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

/** The exits the config's code attempted (and caught) in callbacks the compiler called after the run. */
export const lateExitDiagnostics = exitDiagnostics
