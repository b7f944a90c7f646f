import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** States from which a build collects garbage between stages: below it, the collection costs more than it saves. */
export const LARGE_CONFIG = 50_000

let gc: (() => void) | undefined | null

/**
 * A full garbage collection, now. V8 grows the heap well past what is live while a large config runs;
 * collecting at stage boundaries keeps the peak near the live size. (`--expose-gc` set at run time makes
 * `gc` available to new contexts; without it, this does nothing.)
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc')
      const found: unknown = runInNewContext('typeof gc === "function" ? gc : undefined')
      gc = typeof found === 'function' ? (found as () => void) : null
    } catch {
      gc = null
    }
  }
  gc?.()
}
