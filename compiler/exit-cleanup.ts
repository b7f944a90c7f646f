// What a build must undo when it is stopped (its staging directory, its lock, a temporary tsconfig):
// run on SIGINT, SIGTERM and SIGHUP, and on a normal exit. A kill -9 runs nothing: the next build then
// removes what a dead process left (see out-dir.ts and the type-check).
import { constants } from 'node:os'

/** `atExit`: the process is exiting now, so only what the cleanup does synchronously takes effect. */
type Cleanup = (atExit: boolean) => void | Promise<void>

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
type StopSignal = (typeof SIGNALS)[number]

const cleanups = new Set<Cleanup>()
let installed = false
let interrupt: (() => void) | undefined
let stopping = false

/** Runs `fn` if the process is stopped by a signal (or exits) before the returned release is called. */
export function cleanupOnExit(fn: Cleanup): () => void {
  install()
  cleanups.add(fn)
  return () => {
    cleanups.delete(fn)
  }
}

/**
 * Lets a long-running command (watch) stop by itself on the first signal: `fn` is called instead of the
 * cleanups and the exit; a second signal stops the process at once. Returns the release.
 */
export function onInterrupt(fn: () => void): () => void {
  install()
  interrupt = fn
  return () => {
    if (interrupt === fn) interrupt = undefined
  }
}

function install(): void {
  if (installed) return
  installed = true
  for (const signal of SIGNALS) process.on(signal, () => void stop(signal))
  // the synchronous part of each cleanup, for an exit that did not come through them
  process.on('exit', () => {
    for (const fn of cleanups) {
      try {
        void fn(true)
      } catch {
        // nothing more can be done at exit
      }
    }
  })
}

async function stop(signal: StopSignal): Promise<void> {
  const own = interrupt
  if (own !== undefined && !stopping) {
    interrupt = undefined
    stopping = true
    own()
    return
  }
  stopping = true
  const pending = [...cleanups]
  cleanups.clear()
  await Promise.allSettled(pending.map(async (fn) => fn(false)))
  // die of the signal, as an unhandled one would (the shell and the parent see it)
  for (const s of SIGNALS) process.removeAllListeners(s)
  try {
    process.kill(process.pid, signal)
  } catch {
    // refused while the config's code runs (see load/exit-guard.ts): end with the signal's status
    process.exitCode = 128 + constants.signals[signal]
    setImmediate(() => process.exit())
  }
}
