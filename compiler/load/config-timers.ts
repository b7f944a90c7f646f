// The timers a config sets. Their callbacks can never run (the config's result cannot wait for a
// clock), so those still pending when its run ends are cancelled, and reported at the line that set
// them: what they would have declared would be missing from the tree without a word, and an interval
// would keep the CLI alive for ever. Every way Node offers to set one goes through here while the
// config runs: the globals, `timers`, `timers/promises` (its promises then never settle, so no reaction
// of the config's runs later) and `AbortSignal.timeout`.
import { createRequire } from 'node:module'

const nodeRequire = createRequire(import.meta.url)

export type TimerKind = 'setTimeout' | 'setInterval' | 'setImmediate'

/** A timer the config left: its kind, and the stack that set it. */
export interface LeftTimer {
  readonly kind: TimerKind
  readonly stack: string
}

type Timer = { _destroyed?: boolean }
type Signalled = { signal?: AbortSignal } | undefined

/** Tracks the timers set until `closeLeft`; `patch` installs each replacement (the caller restores them). */
export function watchTimers(
  patch: (target: object, key: string, value: unknown) => void,
  stackHere: () => string,
) {
  const timers: { timer: Timer; kind: TimerKind; stack: string }[] = []
  const real = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    setImmediate: globalThis.setImmediate,
  }
  const tracked = (kind: TimerKind) =>
    function trackedTimer(this: unknown, ...args: unknown[]): Timer {
      const timer = (real[kind] as (...a: unknown[]) => Timer).apply(this, args)
      timers.push({ timer, kind, stack: stackHere() })
      return timer
    }
  const timersModule = nodeRequire('node:timers') as object
  for (const kind of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    const fn = tracked(kind)
    patch(globalThis, kind, fn)
    patch(timersModule, kind, fn)
  }
  const later = tracked('setTimeout')
  const soon = tracked('setImmediate')
  const every = tracked('setInterval')
  const clear = (t: unknown) => clearTimeout(t as NodeJS.Timeout)
  const clearSoon = (t: unknown) => clearImmediate(t as NodeJS.Immediate)
  const wait = (delay?: number, value?: unknown, options?: Signalled) =>
    settleLater((fn) => later(fn, delay), clear, value, options)
  const yieldSoon = (value?: unknown, options?: Signalled) =>
    settleLater((fn) => soon(fn), clearSoon, value, options)
  const timersPromises = nodeRequire('node:timers/promises') as { scheduler?: object }
  patch(timersPromises, 'setTimeout', wait)
  patch(timersPromises, 'setImmediate', yieldSoon)
  patch(timersPromises, 'setInterval', (delay?: number, value?: unknown) => ticks(every, delay, value))
  if (timersPromises.scheduler !== undefined) {
    patch(timersPromises.scheduler, 'wait', (delay?: number, options?: Signalled) =>
      wait(delay, undefined, options),
    )
    patch(timersPromises.scheduler, 'yield', () => yieldSoon())
  }
  patch(AbortSignal, 'timeout', (delay: number) => {
    const controller = new AbortController()
    later(
      () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      delay,
    )
    return controller.signal
  })
  return {
    /** Cancels the timers still pending, and says which they were. */
    closeLeft(): LeftTimer[] {
      const left: LeftTimer[] = []
      for (const { timer, kind, stack } of timers) {
        if (timer._destroyed === true) continue
        if (kind === 'setImmediate') clearSoon(timer)
        else clear(timer)
        left.push({ kind, stack })
      }
      return left
    },
  }
}

/** A timer's promise form: resolves with `value` when the (tracked) timer fires. */
function settleLater(
  start: (fn: () => void) => unknown,
  clear: (timer: unknown) => void,
  value: unknown,
  options: Signalled,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const signal = options?.signal
    if (signal?.aborted) return reject(signal.reason)
    const timer = start(() => resolve(value))
    signal?.addEventListener('abort', () => {
      clear(timer)
      reject(signal.reason)
    })
  })
}

/** `timers/promises`' setInterval: an async iterator over a (tracked) interval's ticks. */
function ticks(every: (fn: () => void, delay?: number) => Timer, delay: number | undefined, value: unknown) {
  let waiting: ((r: IteratorResult<unknown>) => void) | undefined
  let due = 0
  let timer: Timer | undefined
  const start = () => {
    timer ??= every(() => {
      if (waiting === undefined) due++
      else {
        const resolve = waiting
        waiting = undefined
        resolve({ value, done: false })
      }
    }, delay)
  }
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    next(): Promise<IteratorResult<unknown>> {
      start()
      if (due > 0) {
        due--
        return Promise.resolve({ value, done: false })
      }
      return new Promise((resolve) => {
        waiting = resolve
      })
    },
    return(): Promise<IteratorResult<unknown>> {
      clearInterval(timer as NodeJS.Timeout)
      return Promise.resolve({ value: undefined, done: true })
    },
  }
}
