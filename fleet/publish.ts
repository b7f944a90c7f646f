import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { basename, join } from 'node:path'

/** What a publish did. */
export interface Published {
  /** The generation the master serves now. */
  readonly generation: number
  /** Its directory (`ROOT/generations/N`). */
  readonly dir: string
  /** False when the tree was the one already served (nothing switched). */
  readonly switched: boolean
}

/** How many published generations stay beside the served one (a rollback needs the one before). */
export const KEEP_PUBLISHED = 5

/**
 * Copies a built tree to `root/generations/N` and switches `root/current` to it in one rename: the master
 * reads either the old tree or the new one, never a mix. The same tree as the one served is not published
 * again. Files are copied (not linked), so each has a fresh mtime: Salt's file server caches hashes by mtime.
 */
export function publishTree(tree: string, root: string): Published {
  const generations = join(root, 'generations')
  mkdirSync(generations, { recursive: true })
  const source = realpathSync(tree)
  const served = currentGeneration(root)
  if (served !== undefined && sameManifest(source, join(generations, String(served))))
    return { generation: served, dir: join(generations, String(served)), switched: false }
  const numbers = listGenerations(root)
  const next = (numbers.at(-1) ?? 0) + 1
  const staging = join(generations, `.staging-${process.pid}`)
  rmSync(staging, { recursive: true, force: true })
  cpSync(source, staging, { recursive: true, dereference: true })
  const dir = join(generations, String(next))
  renameSync(staging, dir)
  const link = join(root, `.current-${process.pid}`)
  rmSync(link, { force: true })
  symlinkSync(join('generations', String(next)), link)
  renameSync(link, join(root, 'current'))
  for (const old of numbers.slice(0, Math.max(0, numbers.length + 1 - KEEP_PUBLISHED)))
    if (old !== next) rmSync(join(generations, String(old)), { recursive: true, force: true })
  return { generation: next, dir, switched: true }
}

/** The generation `root/current` points at. */
export function currentGeneration(root: string): number | undefined {
  try {
    const n = Number(basename(readlinkSync(join(root, 'current'))))
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

/** The published generations, oldest first. */
export function listGenerations(root: string): number[] {
  const dir = join(root, 'generations')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)
}

/** Switches `current` back to an earlier published generation (one rename). */
export function servePublished(root: string, generation: number): boolean {
  if (!existsSync(join(root, 'generations', String(generation)))) return false
  const link = join(root, `.current-${process.pid}`)
  rmSync(link, { force: true })
  symlinkSync(join('generations', String(generation)), link)
  renameSync(link, join(root, 'current'))
  return true
}

function sameManifest(a: string, b: string): boolean {
  try {
    return readFileSync(join(a, 'manifest.json')).equals(readFileSync(join(b, 'manifest.json')))
  } catch {
    return false
  }
}
