import type { Origin } from '../../dsl/ir.ts'

/** What a frame of the config's code is mapped with (the running config's modules). */
export interface ConfigCode {
  /** Whether a stack frame's file is one of the config's modules. */
  isModule(file: string): boolean
  /** A position in a running module → the user's source. */
  locate(o: Origin): Origin
}

/**
 * The config modules of the last load on this thread: a stack that passes through one of them is the
 * config's doing (an exit, a throw from a callback the compiler calls after the run).
 */
let current: ConfigCode | undefined

export function setConfigCode(code: ConfigCode): void {
  current = code
}

export function configCode(): ConfigCode | undefined {
  return current
}

const FRAME = /^\s+at (?:[^(]*\()?(.*):(\d+):(\d+)\)?$/

/**
 * The first frame of a stack (`Error.stack`'s text) that is in a config module, mapped to the user's
 * TypeScript; undefined when none is.
 */
export function firstConfigFrame(stack: string, code: ConfigCode | undefined = current): Origin | undefined {
  if (code === undefined) return undefined
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line)
    if (m === null || !code.isModule(m[1] ?? '')) continue
    return code.locate({ file: m[1] ?? '', line: Number(m[2]), column: Number(m[3]) })
  }
  return undefined
}

/** Every frame of a stack that is in a config module, mapped to the user's TypeScript, innermost first. */
export function configFrames(stack: string, code: ConfigCode | undefined = current): Origin[] {
  if (code === undefined) return []
  const frames: Origin[] = []
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line)
    if (m === null || !code.isModule(m[1] ?? '')) continue
    frames.push(code.locate({ file: m[1] ?? '', line: Number(m[2]), column: Number(m[3]) }))
  }
  return frames
}

/** The stack here, deep enough to reach the config's frame below Node's own (a timer's, a listener's). */
export function stackHere(): string {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 30
  try {
    return new Error().stack ?? ''
  } finally {
    Error.stackTraceLimit = limit
  }
}
