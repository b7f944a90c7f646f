// The window in which the config's code runs. A config is a program that declares states: it runs
// synchronously to its end, within the load's timeout. What it queues meanwhile is settled here, so that
// none of its code runs later, outside the timeout, while the CLI builds, reports or exits:
//
// - microtasks (promise reactions, `queueMicrotask`, `process.nextTick`) are run at the end of the run,
//   inside the same timeout (an `async` helper that awaits nothing asynchronous still works);
// - timers, intervals and immediates still pending then are cancelled and reported at the line that
//   made them: their callbacks could never run (the config's result cannot wait for a clock), so what
//   they would have declared would be missing from the tree without a word;
// - an unhandled rejection is reported at the line that threw, instead of crashing the CLI;
// - a listener the config added to `process` would run during the CLI's life (an 'exit' listener can
//   change its exit status): it is removed and reported;
// - I/O it started and left (a server listening, a child process, a socket, an fs or DNS request with a
//   callback) would keep the CLI alive or run its callback later: it is closed (its callback dropped),
//   and reported (config-io.ts);
// - what it prints to stdout goes to stderr (stdout carries the CLI's own output, such as JSON);
// - builtins it replaced (the compiler shares them) and process state it changed (cwd, umask,
//   environment) are put back, and reported (builtins-guard.ts, process-state.ts).
// Exits are guarded for the process's whole life, since a callback of the config's can run later
// (exit-guard.ts).
import { Script } from 'node:vm'
import type { Origin } from '../../dsl/ir.ts'
import { type Diagnostic, error } from '../diagnostics.ts'
import { recordBuiltins } from './builtins-guard.ts'
import { type ConfigCode, firstConfigFrame, stackHere } from './config-frames.ts'
import { watchIo } from './config-io.ts'
import { watchTimers } from './config-timers.ts'
import { ConfigExit, exitDiagnostics, setConfigRunning } from './exit-guard.ts'
import { recordProcessState } from './process-state.ts'

interface Listened {
  readonly event: string | symbol
  readonly listener: (...args: unknown[]) => void
  readonly stack: string
}

type TaskQueueProcess = NodeJS.Process & { _tickCallback?: () => void }

/** Node's own drain of ticks and microtasks (undocumented, present since Node 12). */
const tickCallback = (process as TaskQueueProcess)._tickCallback
const DRAIN = Symbol.for('salt-dsl.drain')
let drainScript: Script | undefined

export interface RunWindow {
  /**
   * Runs what the config queued (microtasks), within `timeoutMs`. Call it in the macrotask the config
   * ran in: later, Node would have run them already, outside any timeout.
   */
  drain(timeoutMs: number): void
  /** Ends the window: what the config left is cancelled, and reported. */
  close(): Diagnostic[]
}

/** Opens the window: what the config sets, starts, listens to or changes is tracked until `close`. */
export function openRunWindow(code: ConfigCode): RunWindow {
  const builtinsChanged = recordBuiltins()
  const processChanged = recordProcessState()
  const restore: (() => void)[] = []
  const patch = <T extends object, K extends keyof T>(target: T, key: K, value: T[K]) => {
    const own = Object.getOwnPropertyDescriptor(target, key)
    ;(target as Record<K, T[K]>)[key] = value
    restore.push(() => {
      if (own === undefined) delete (target as Partial<T>)[key]
      else Object.defineProperty(target, key, own)
    })
  }
  const listened: Listened[] = []
  const rejections: unknown[] = []

  const timers = watchTimers(patch as (target: object, key: string, value: unknown) => void, stackHere)

  // stdout carries what the CLI prints (`--format json`, `dsl show`): what the config prints (a
  // console.log while debugging it) goes to stderr
  const stderr = process.stderr
  patch(process.stdout, 'write', ((...args: Parameters<typeof stderr.write>) =>
    stderr.write(...args)) as typeof process.stdout.write)

  // a tick or a queued microtask runs in an async scope Node enters and leaves: a timeout in between
  // would leave that scope open (Node then aborts); a promise reaction has none
  patch(process, 'nextTick', ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    void Promise.resolve().then(() => fn(...args))
  }) as typeof process.nextTick)
  patch(globalThis, 'queueMicrotask', (fn: () => void) => {
    void Promise.resolve().then(fn)
  })

  // the config's rejections are its own: the listeners of whatever embeds the compiler (a test runner)
  // are set aside meanwhile
  const others = process.rawListeners('unhandledRejection') as NodeJS.UnhandledRejectionListener[]
  process.removeAllListeners('unhandledRejection')
  const onRejection = (reason: unknown) => {
    rejections.push(reason)
  }
  process.on('unhandledRejection', onRejection)
  restore.push(() => {
    process.off('unhandledRejection', onRejection)
    for (const listener of others) process.on('unhandledRejection', listener)
  })
  for (const method of ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const) {
    const add = process[method]
    patch(process, method, function listen(this: unknown, event: string | symbol, listener: never) {
      listened.push({ event, listener, stack: stackHere() })
      return add.call(process, event as never, listener)
    } as never)
  }

  const io = watchIo(code)
  setConfigRunning(true)
  return {
    drain(timeoutMs) {
      if (typeof tickCallback !== 'function') return
      ;(globalThis as { [DRAIN]?: () => void })[DRAIN] = () => tickCallback.call(process)
      drainScript ??= new Script(`globalThis[Symbol.for('salt-dsl.drain')]()`, { filename: 'salt-dsl:drain' })
      try {
        drainScript.runInThisContext({ timeout: timeoutMs, displayErrors: false })
      } finally {
        delete (globalThis as { [DRAIN]?: () => void })[DRAIN]
      }
    },
    close() {
      setConfigRunning(false)
      io.restore()
      for (const undo of restore.reverse()) undo()
      const found: Diagnostic[] = []
      found.push(...processChanged())
      const { changed, stuck } = builtinsChanged()
      const list = (names: readonly string[]) =>
        names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '')
      if (changed.length > 0) {
        found.push(
          error(
            'DSL1037',
            `the config changed builtins the compiler shares with it: ${list(changed)}`,
            undefined,
            {
              hint: "the config runs in the compiler's realm: replacing or adding to a builtin changes what the compiler does (they were put back)",
            },
          ),
        )
      }
      if (stuck.length > 0) found.push(poisonedDiagnostic(stuck))
      const at = (stack: string): Origin | undefined => firstConfigFrame(stack, code)
      // one diagnostic per line (a child process comes with its three pipes)
      const byLine = new Map<string, { origin: Origin | undefined; what: string[] }>()
      for (const { what, stack } of io.closeLeft()) {
        const origin = stack === undefined ? undefined : at(stack)
        const key = origin === undefined ? '' : `${origin.file}:${origin.line}:${origin.column}`
        const known = byLine.get(key)
        if (known === undefined) byLine.set(key, { origin, what: [what] })
        else if (!known.what.includes(what)) known.what.push(what)
      }
      for (const { origin, what } of byLine.values()) {
        const hint =
          'a config runs synchronously to its end: use the synchronous form (readFileSync, execFileSync); it was closed, its callbacks dropped'
        found.push(error('DSL1036', `the config left I/O unfinished: ${what.join(', ')}`, origin, { hint }))
      }
      for (const { kind, stack } of timers.closeLeft()) {
        found.push(
          error('DSL1032', `a ${kind} callback was still pending when the config finished`, at(stack), {
            hint: 'a config runs synchronously to its end; its timers are cancelled, so what their callbacks would declare is missing: declare it directly',
          }),
        )
      }
      for (const { event, listener, stack } of listened) {
        const on = process as unknown as NodeJS.EventEmitter
        if (!on.listeners(event).includes(listener)) continue
        on.off(event, listener)
        found.push(
          error('DSL1035', `the config added a listener for process '${String(event)}'`, at(stack), {
            hint: 'it would run while the CLI builds or exits, after the config; it was removed',
          }),
        )
      }
      for (const reason of rejections) {
        if (reason instanceof ConfigExit) continue
        const stack = reason instanceof Error ? (reason.stack ?? '') : ''
        const message = reason instanceof Error ? reason.message : String(reason)
        found.push(
          error(
            'DSL1033',
            `a promise of the config was rejected and nothing handled it: ${message}`,
            at(stack),
            {
              hint: 'a config runs synchronously: handle the rejection, or do the work without a promise',
            },
          ),
        )
      }
      found.push(...exitDiagnostics())
      return found
    },
  }
}

/** A config froze or sealed builtins: they cannot be put back, so this process cannot build again. */
export function poisonedDiagnostic(stuck: readonly string[]): Diagnostic {
  const names = stuck.slice(0, 5).join(', ') + (stuck.length > 5 ? `, and ${stuck.length - 5} more` : '')
  return error(
    'DSL1039',
    `the config froze or sealed builtins the compiler shares with it: ${names}`,
    undefined,
    {
      hint: 'they cannot be put back, so this process cannot build again (a watch stops); remove the freeze and run dsl again',
    },
  )
}
