// The config runs in the CLI's own process, so `process.exit(0)` in it would end a build, a check or a
// CI gate with status 0 and no word. The calls that end the process are guarded instead: called by
// config code (while it runs, or from a callback of its that the compiler calls later), they throw, and
// the attempt is reported at its line.
import type { Origin } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { firstConfigFrame, stackHere } from './config-frames.ts'

/** Thrown in place of an exit the config asked for (so the config stops there, as it meant to). */
export class ConfigExit extends Error {
  constructor(
    readonly call: string,
    readonly origin: Origin | undefined,
  ) {
    super(`${call} was called by the config`)
  }
}

const attempts: { readonly call: string; readonly origin: Origin | undefined }[] = []
/** While the config's code runs (the window), every exit is its doing, whatever its stack shows. */
let running = false

export function setConfigRunning(value: boolean): void {
  running = value
}

/**
 * The exits the config attempted since the last call, as diagnostics (a config may catch the throw: it
 * failed all the same).
 */
export function exitDiagnostics(): Diagnostic[] {
  return attempts.splice(0).map(({ call, origin }) =>
    error('DSL1030', `the config called ${call}: the CLI would have stopped without a word`, origin, {
      hint: 'a config cannot end the build; throw an Error to fail it with a message',
    }),
  )
}

type Proc = NodeJS.Process & {
  reallyExit?: (code?: number) => never
  _kill?: (pid: number, signal: number) => unknown
}

let installed = false

/** Guards the calls that end this process (once per thread; the guard stays: later callbacks need it). */
export function guardExits(): void {
  if (installed) return
  installed = true
  const proc = process as Proc
  const attempt = (call: string): ConfigExit | undefined => {
    const origin = firstConfigFrame(stackHere())
    if (!running && origin === undefined) return undefined
    attempts.push({ call, origin })
    return new ConfigExit(call, origin)
  }
  /** `kill` ends this process when it targets it or a process group (which may hold it). */
  const targetsSelf = (pid: unknown, signal: unknown) =>
    signal !== 0 && (Number(pid) === process.pid || Number(pid) <= 0)
  const exit = proc.exit
  proc.exit = function guardedExit(code?: number | string | null) {
    const stop = attempt(`process.exit(${code ?? ''})`)
    if (stop !== undefined) throw stop
    return exit.call(proc, code)
  } as typeof proc.exit
  const abort = proc.abort
  proc.abort = function guardedAbort() {
    const stop = attempt('process.abort()')
    if (stop !== undefined) throw stop
    return abort.call(proc)
  } as typeof proc.abort
  const kill = proc.kill
  proc.kill = function guardedKill(pid: number, signal?: string | number) {
    if (targetsSelf(pid, signal)) {
      const stop = attempt(`process.kill(${pid}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`)
      if (stop !== undefined) throw stop
    }
    return kill.call(proc, pid, signal)
  }
  const reallyExit = proc.reallyExit
  if (typeof reallyExit === 'function') {
    proc.reallyExit = function guardedReallyExit(code?: number) {
      const stop = attempt(`process.reallyExit(${code ?? ''})`)
      if (stop !== undefined) throw stop
      return reallyExit.call(proc, code)
    } as typeof reallyExit
  }
  // a signal or an exit the config emits itself runs the CLI's own handlers (a watch stops on SIGINT)
  const emit = proc.emit
  proc.emit = function guardedEmit(this: unknown, event: string | symbol, ...args: unknown[]) {
    if (
      typeof event === 'string' &&
      (event.startsWith('SIG') || event === 'exit' || event === 'beforeExit')
    ) {
      const stop = attempt(`process.emit('${event}')`)
      if (stop !== undefined) throw stop
    }
    return emit.apply(proc, [event, ...args] as never)
  } as typeof proc.emit
  const rawKill = proc._kill
  if (typeof rawKill === 'function') {
    proc._kill = function guardedRawKill(pid: number, signal: number) {
      if (targetsSelf(pid, signal)) {
        const stop = attempt(`process._kill(${pid}, ${signal})`)
        if (stop !== undefined) throw stop
      }
      return rawKill.call(proc, pid, signal)
    }
  }
}
