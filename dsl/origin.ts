import type { Origin } from './ir.ts'
import { session } from './session.ts'

/** The part of V8's stack API used here (declared locally so configs need no Node typings). */
interface CallSite {
  getFileName(): string | null | undefined
  getLineNumber(): number | null
  getColumnNumber(): number | null
}
type Sites = CallSite[]
interface V8Error {
  prepareStackTrace?: ((error: Error, sites: Sites) => unknown) | undefined
  stackTraceLimit: number
  captureStackTrace(target: object, below?: Function): void
}
const V8 = Error as unknown as V8Error
const collect = (_error: Error, sites: Sites): Sites => sites

/**
 * The position of the user code that called `below` (a public builder), in the running file's coordinates.
 * The load stage maps bundle positions back to the user's TypeScript.
 */
export function callSite(below: Function): Origin {
  const prepare = V8.prepareStackTrace
  const limit = V8.stackTraceLimit
  V8.prepareStackTrace = collect
  V8.stackTraceLimit = 1
  const holder: { stack?: Sites } = {}
  V8.captureStackTrace(holder, below)
  const site = holder.stack?.[0]
  V8.prepareStackTrace = prepare
  V8.stackTraceLimit = limit
  const raw = {
    file: site?.getFileName() ?? '<unknown>',
    line: site?.getLineNumber() ?? 0,
    column: site?.getColumnNumber() ?? 0,
  }
  return Object.freeze(session().locate(raw))
}
