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
 * The builders whose calls the config loader writes with their position (`LOCATED_PROPERTY`), so that
 * a call costs no stack capture (about 3 µs each: a tenth of a 20k-state build). Each takes its
 * `callSite` first, before any code of the caller's can run.
 */
export const LOCATED_BUILDERS = [
  'archive',
  'byPlatform',
  'cmd',
  'cron',
  'dotfile',
  'extensionState',
  'file',
  'git',
  'group',
  'inventory',
  'layer',
  'pillarSchema',
  'pkg',
  'pkgrepo',
  'profile',
  'service',
  'sls',
  'state',
  'top',
  'user',
] as const

/**
 * The property of a located builder that takes the call's position first: the loader writes
 * `(0, ns.pkg)(a, b)` as `(0, ns.pkg.__salt_dsl_at)(file, line, column, a, b)`.
 */
export const LOCATED_PROPERTY = '__salt_dsl_at'

/** The position a located call passed, for the builder it called (cleared once taken). */
let pendingFor: Function | undefined
let pendingFile = ''
let pendingLine = 0
let pendingColumn = 0

/** Gives each builder its located form (the names are checked against LOCATED_BUILDERS). */
export function locateCalls(builders: { readonly [K in (typeof LOCATED_BUILDERS)[number]]: Function }): void {
  for (const name of LOCATED_BUILDERS) {
    const builder = builders[name]
    if (Object.hasOwn(builder, LOCATED_PROPERTY)) continue
    // the arguments are evaluated before this runs (a builder called among them took its own position),
    // and the builder takes the position before any of the caller's code can run
    const located = function (this: unknown, file: string, line: number, column: number, ...args: unknown[]) {
      pendingFor = builder
      pendingFile = file
      pendingLine = line
      pendingColumn = column
      try {
        return builder.apply(this, args)
      } finally {
        pendingFor = undefined
      }
    }
    Object.defineProperty(builder, LOCATED_PROPERTY, { value: located })
  }
}

/**
 * The position of the user code that called `below` (a public builder), in the running file's coordinates.
 * The load stage maps bundle positions back to the user's TypeScript.
 */
export function callSite(below: Function): Origin {
  if (pendingFor === below) {
    pendingFor = undefined
    const raw = { file: pendingFile, line: pendingLine, column: pendingColumn }
    return Object.freeze(session().locate(raw, true))
  }
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
