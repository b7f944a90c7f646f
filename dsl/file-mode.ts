// File modes written as numbers: `0o644` means what the string '0644' does; `octal(644)` is Salt's own `644`.
import { callSite } from './origin.ts'
import { addIssue } from './session.ts'

/** The arguments of the file module that hold a file mode. */
export const MODE_ARGS = ['mode', 'dir_mode', 'file_mode', 'sym_mode'] as const

/**
 * `0o644` → `'0644'`: Salt reads a mode as octal digits, so the number 420 (`0o644` in decimal) would
 * be read as mode 0420. Anything else is left as it is (a string, a lookup).
 */
export function modeText(mode: unknown): unknown {
  if (mode instanceof OctalMode) return mode.digits
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777
    ? mode.toString(8).padStart(4, '0')
    : mode
}

/** What `octal()` returns: a mode written as Salt's own YAML writes it, the integer `644`. */
export class OctalMode {
  constructor(readonly digits: number) {}
}

/**
 * A file mode as a hand-written SLS says it (`mode: 644`): emitted as that integer, which Salt reads as
 * octal digits (0644). Use it to keep a tree's render exactly as it was; `'0644'` or `0o644` mean the same
 * mode and are emitted as the string `'0644'`.
 * @example
 * file('/etc/sudoers', { source: 'files/sudoers', mode: octal(440) })
 * // - mode: 440
 */
export function octal(digits: number): OctalMode {
  if (!Number.isInteger(digits) || digits < 0 || !/^[0-7]{1,4}$/.test(String(digits))) {
    const origin = callSite(octal)
    addIssue(
      'DSL1016',
      `octal(${digits}): a mode is one to four octal digits (0-7)`,
      origin,
      "e.g. octal(644), or the string '0644'",
    )
  }
  return new OctalMode(digits)
}

/** `args` with each numeric file mode as its octal string (the same object when there is none). */
export function withModeText(args: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!MODE_ARGS.some((key) => typeof args[key] === 'number' || args[key] instanceof OctalMode)) return args
  const out: Record<string, unknown> = { ...args }
  for (const key of MODE_ARGS) if (key in out) out[key] = modeText(out[key])
  return out
}
