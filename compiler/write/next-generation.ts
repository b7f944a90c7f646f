// Watch mode's next generation, made from one already on disk instead of written whole: rewriting a
// thousand files per keystroke would be the slowest part of a rebuild.
import { linkSync, lstatSync, mkdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Tree } from '../emit/emit-tree.ts'

/** A tree as written into a generation: its files and the modes that are not the default. */
export interface Written {
  readonly tree: Tree
  readonly modes: ReadonlyMap<string, number>
}

export const FILE_MODE = 0o644
export const DIR_MODE = 0o755

const modeOf = (w: Written, path: string) => w.modes.get(path) ?? FILE_MODE

/** Whether `path` holds the same bytes with the same mode in both. */
export function same(a: Written, b: Written, path: string): boolean {
  const x = a.tree.get(path)
  const y = b.tree.get(path)
  return x !== undefined && y !== undefined && sameBytes(x, y) && modeOf(a, path) === modeOf(b, path)
}

/**
 * Fills the empty `staging` with `next`: each file unchanged since `from` (the generation `fromDir`) is a
 * hard link to it, the others are written. Returns nothing; `fromDir` is only read.
 */
export function linkFrom(staging: string, fromDir: string, from: Written, next: Written): void {
  makeDirs(staging, next.tree.keys())
  for (const [path, data] of next.tree) {
    const file = join(staging, path)
    if (same(from, next, path)) {
      try {
        linkSync(join(fromDir, path), file)
        continue
      } catch {
        // gone from that generation (removed by hand): written below
      }
    }
    writeFileSync(file, data, { mode: modeOf(next, path), flag: 'wx' })
  }
}

/**
 * Turns `staging`, an old generation holding `old` (renamed out of the generations, so no reader is on
 * it), into `next`: only the files that differ are replaced, each by a new file (its old inode may be
 * shared with newer generations, which must not change). Every directory on a path it touches is
 * checked not to be a link, so nothing is written or removed outside the directory.
 */
export function recycle(staging: string, old: Written, next: Written): void {
  for (const [path, data] of next.tree) {
    if (same(old, next, path)) continue
    const file = join(staging, path)
    ensureDirs(staging, path)
    if (old.tree.has(path)) unlinkSync(file)
    writeFileSync(file, data, { mode: modeOf(next, path), flag: 'wx' })
  }
  const emptied = new Set<string>()
  for (const path of old.tree.keys()) {
    if (next.tree.has(path)) continue
    ensureDirs(staging, path, false)
    unlinkSync(join(staging, path))
    for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) emptied.add(dir)
  }
  // directories left empty, deepest first (rmdir removes only an empty directory, and never follows a link)
  for (const dir of [...emptied].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(staging, dir))
    } catch {
      // not empty: it still holds files of the new tree
    }
  }
}

/** Checks each directory above `path` under `root` is a directory (not a link), making missing ones. */
function ensureDirs(root: string, path: string, make = true): void {
  const parts = path.split('/').slice(0, -1)
  let dir = root
  for (const part of parts) {
    dir = join(dir, part)
    const stat = lstatSync(dir, { throwIfNoEntry: false })
    if (stat === undefined && make) mkdirSync(dir, { mode: DIR_MODE })
    else if (stat === undefined || !stat.isDirectory()) throw new Error(`${dir} is not a directory`)
  }
}

export function makeDirs(root: string, paths: Iterable<string>): void {
  const dirs = new Set<string>()
  for (const path of paths) dirs.add(dirname(join(root, path)))
  for (const dir of [...dirs].sort()) mkdirSync(dir, { recursive: true, mode: DIR_MODE })
}

/** Whether two files' data are the same bytes (the same string or buffer, without copying either). */
export function sameBytes(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (a === b) return true
  if (typeof a === 'string' && typeof b === 'string') return false
  return bytesOf(a).equals(bytesOf(b))
}

/** A buffer over the same memory (a string is encoded). */
const bytesOf = (data: string | Uint8Array): Buffer =>
  typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
