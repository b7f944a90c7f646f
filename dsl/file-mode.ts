// File modes written as numbers: `0o644` means what the string '0644' does.

/** The arguments of the file module that hold a file mode. */
export const MODE_ARGS = ['mode', 'dir_mode', 'file_mode', 'sym_mode'] as const

/**
 * `0o644` → `'0644'`: Salt reads a mode as octal digits, so the number 420 (`0o644` in decimal) would
 * be read as mode 0420. Anything else is left as it is (a string, a lookup).
 */
export function modeText(mode: unknown): unknown {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o7777
    ? mode.toString(8).padStart(4, '0')
    : mode
}

/** `args` with each numeric file mode as its octal string (the same object when there is none). */
export function withModeText(args: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!MODE_ARGS.some((key) => typeof args[key] === 'number')) return args
  const out: Record<string, unknown> = { ...args }
  for (const key of MODE_ARGS) if (key in out) out[key] = modeText(out[key])
  return out
}
