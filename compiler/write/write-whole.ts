import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'

/**
 * Writes `file` whole: into a name of this process's beside it, then renamed over it, so a reader (or a kill)
 * sees the old content or the new, never half. `sync` flushes the data to disk before the rename.
 */
export function writeWhole(
  file: string,
  data: string | Uint8Array,
  o: { readonly mode?: number; readonly sync?: boolean } = {},
): void {
  const temp = `${file}.tmp-${process.pid}`
  try {
    const fd = openSync(temp, 'w', o.mode ?? 0o644)
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
      if (o.sync === true) fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, file)
  } catch (e) {
    rmSync(temp, { force: true })
    throw e
  }
}
