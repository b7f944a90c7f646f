import type { Origin } from './ir.ts'
import { session } from './session.ts'

type Sites = NodeJS.CallSite[]
const collect = (_error: Error, sites: Sites): Sites => sites

/**
 * The position of the user code that called `below` (a public builder), in the running file's coordinates.
 * The load stage maps bundle positions back to the user's TypeScript.
 */
export function callSite(below: Function): Origin {
  const prepare = Error.prepareStackTrace
  const limit = Error.stackTraceLimit
  Error.prepareStackTrace = collect as typeof Error.prepareStackTrace
  Error.stackTraceLimit = 1
  const holder: { stack?: Sites } = {}
  Error.captureStackTrace(holder, below)
  const site = holder.stack?.[0]
  Error.prepareStackTrace = prepare
  Error.stackTraceLimit = limit
  const raw = { file: site?.getFileName() ?? '<unknown>', line: site?.getLineNumber() ?? 0, column: site?.getColumnNumber() ?? 0 }
  return Object.freeze(session().locate(raw))
}
