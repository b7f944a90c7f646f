// One config file edited back and forth, for the measurements that need a changed file (the build after an
// edit, the watch rebuild).
import { readFileSync, writeFileSync } from 'node:fs'

export interface Touch {
  readonly file: string
  readonly from: string
  readonly to: string
}

export interface Editor {
  /** Writes the other version of the file; true when it now holds the edit. */
  edit(): boolean
  /** Puts the original back, if the edit is in. */
  restore(): void
}

export function editing(touch: Touch): Editor {
  const original = readFileSync(touch.file, 'utf8')
  if (!original.includes(touch.from)) throw new Error(`${touch.file} does not contain '${touch.from}'`)
  const changed = original.replace(touch.from, touch.to)
  let edited = false
  return {
    edit() {
      edited = !edited
      writeFileSync(touch.file, edited ? changed : original)
      return edited
    },
    restore() {
      if (edited) writeFileSync(touch.file, original)
      edited = false
    },
  }
}
