// The process state a config can change for the rest of the CLI's life: the working directory (the
// paths diagnostics are printed relative to), the umask (the modes of the tree written after), the
// environment (what Salt and tsc are started with) and the capture of uncaught exceptions (which would
// swallow the CLI's own). Each is recorded before the config runs and put back after it.
import { type Diagnostic, error, warning } from '../diagnostics.ts'

type CaptureProcess = NodeJS.Process & { hasUncaughtExceptionCaptureCallback?: () => boolean }

/** Records the process state; the function returned puts back what the config changed, and says so. */
export function recordProcessState(): () => Diagnostic[] {
  const proc = process as CaptureProcess
  const cwd = process.cwd()
  const umask = process.umask()
  const env = { ...process.env }
  const captured = proc.hasUncaughtExceptionCaptureCallback?.() ?? false
  return () => {
    const found: Diagnostic[] = []
    const put = (what: string) =>
      found.push(
        warning('DSL1038', `the config changed ${what}; it was put back`, undefined, {
          hint: 'it would have changed what the CLI does after the config; set it before running dsl instead',
        }),
      )
    if (process.cwd() !== cwd) {
      process.chdir(cwd)
      put('the working directory')
    }
    if (process.umask() !== umask) {
      process.umask(umask)
      put('the umask')
    }
    const changed: string[] = []
    for (const key of Object.keys(process.env)) {
      if (env[key] === process.env[key]) continue
      changed.push(key)
      if (env[key] === undefined) delete process.env[key]
      else process.env[key] = env[key]
    }
    for (const key of Object.keys(env)) {
      if (key in process.env) continue
      changed.push(key)
      process.env[key] = env[key]
    }
    if (changed.length > 0) put(`environment variables (${changed.sort().join(', ')})`)
    if (!captured && proc.hasUncaughtExceptionCaptureCallback?.() === true) {
      process.setUncaughtExceptionCaptureCallback(null)
      found.push(
        error('DSL1035', 'the config set an uncaught exception capture callback on process', undefined, {
          hint: "it would swallow the CLI's own errors after the config; it was removed",
        }),
      )
    }
    return found
  }
}
